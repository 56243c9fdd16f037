"""The events route on a Unix socket: how a kernel without network posts its events.

A learner's kernel has no network at all (its own network namespace, Landlock's TCP
rules), so it cannot reach the server on loopback. The server also listens on a Unix
socket in its private runtime folder, and serves exactly one route there: the
course extension's events endpoint (``/course/api/events``), through the same
handler and checks as on TCP. Every other path on the socket is a 404: a kernel
reaches nothing else of the server this way.
"""

from __future__ import annotations

import re
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_unix_socket
from tornado.routing import AnyMatches, PathMatches, Rule, RuleRouter

EVENTS_PATH = "/course/api/events"


class _Nothing(web.RequestHandler):
    def prepare(self) -> None:
        raise web.HTTPError(404)


def listen_for_events(app: web.Application, socket: Path, base_url: str = "/") -> HTTPServer:
    """Serve ``app``'s events route, and only that, on the Unix socket ``socket``."""
    events = re.escape(url_path_join(base_url, EVENTS_PATH)) + "$"
    router = RuleRouter(
        [
            Rule(PathMatches(events), app),
            Rule(AnyMatches(), web.Application([(r".*", _Nothing)])),
        ]
    )
    server = HTTPServer(router, max_body_size=4 << 20)
    server.add_socket(bind_unix_socket(str(socket), mode=0o600))
    return server
