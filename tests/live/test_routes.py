"""The route table from the attacker's side: a stranger (no Jupyter token, no join cookie)
reaches only the public routes, whatever route is added to ``course.live.routes``."""

from __future__ import annotations

import re
from typing import Any, cast

import httpx

from course.live.handlers.base import NotFoundHandler, StaticHandler
from course.live.handlers.participant import JoinHandler, JoinPage
from course.live.routes import routes
from course.live.runtime import Live
from course.testing import CourseServer
from tests.live.helpers import open_poll

PUBLIC = {JoinHandler, JoinPage, StaticHandler, NotFoundHandler}
METHODS = ("get", "post", "put", "patch", "delete")


def _methods(handler: type) -> list[str]:
    """The HTTP methods the kit's own classes define on this handler."""
    ours = [c for c in handler.__mro__ if c.__module__.startswith("course.")]
    return [m for m in METHODS if any(m in vars(c) for c in ours)]


def _url(pattern: str, values: dict[str, str]) -> str:
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], pattern)
    return url.replace("/?", "/").replace("(.*)", "common.js").replace(".*", "nothing")


def test_a_stranger_gets_only_refusals_outside_the_public_routes(
    live_server: CourseServer, instructor: httpx.Client, live_session: dict[str, Any]
) -> None:
    poll = open_poll(instructor, live_session, "m1-types")
    values = {
        "session_id": str(live_session["id"]),
        "poll_id": str(poll["id"]),
        "question_id": "1",
        "action": "close",
    }
    table = routes(cast(Live, None))
    checked = 0
    with live_server.anonymous() as stranger:
        for pattern, handler, _ in table:
            if handler in PUBLIC:
                continue
            for method in _methods(handler):
                url = _url(pattern, values)
                reply = stranger.request(method, url, json={"value": 0, "size": 2})
                checked += 1
                if reply.status_code == 302:  # pages send strangers to log in or to join
                    where = reply.headers["location"]
                    assert where.startswith(("/login?", "/course/live/join")), (url, where)
                else:
                    assert reply.status_code == 403, (method, url, reply.text)
    assert checked >= 25
    state = instructor.get(f"/course/api/live/sessions/{live_session['id']}").json()
    assert state["session"]["state"] == "open"
    assert next(p for p in state["polls"] if p["id"] == poll["id"])["state"] == "open"
