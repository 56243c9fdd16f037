"""Roles: a join-code participant reaches its own session's /me routes and nothing else."""

from __future__ import annotations

import pytest

from tests.live.helpers import open_poll

INSTRUCTOR_ROUTES = [
    ("GET", "/course/api/live/modules"),
    ("GET", "/course/api/live/sessions"),
    ("POST", "/course/api/live/sessions"),
    ("GET", "/course/api/live/sessions/{sid}"),
    ("PATCH", "/course/api/live/sessions/{sid}"),
    ("GET", "/course/api/live/sessions/{sid}/participants"),
    ("POST", "/course/api/live/sessions/{sid}/polls"),
    ("GET", "/course/api/live/sessions/{sid}/polls/{pid}"),
    ("POST", "/course/api/live/sessions/{sid}/polls/{pid}/open"),
    ("POST", "/course/api/live/sessions/{sid}/polls/{pid}/close"),
    ("POST", "/course/api/live/sessions/{sid}/polls/{pid}/reveal"),
    ("POST", "/course/api/live/sessions/{sid}/next"),
    ("GET", "/course/api/live/sessions/{sid}/questions"),
    ("PATCH", "/course/api/live/sessions/{sid}/questions/1"),
    ("GET", "/course/api/live/sessions/{sid}/groups"),
    ("POST", "/course/api/live/sessions/{sid}/groups"),
    ("GET", "/course/api/live/sessions/{sid}/readiness"),
    ("GET", "/course/api/live/sessions/{sid}/export.csv"),
]
JUPYTER_ROUTES = [
    ("GET", "/api/kernels"),
    ("POST", "/api/kernels"),
    ("GET", "/api/contents"),
    ("GET", "/api/contents/course.yml"),
    ("PUT", "/api/contents/evil.py"),
    ("GET", "/api/sessions"),
    ("GET", "/api/config/x"),
]


def test_participant_gets_403_on_every_instructor_action(instructor, live_session, join) -> None:
    ada = join(live_session)
    poll = open_poll(instructor, live_session, "m1-types")
    for method, route in INSTRUCTOR_ROUTES:
        url = route.format(sid=live_session["id"], pid=poll["id"])
        reply = ada.request(method, url, json={"state": "ended", "module": "m1", "size": 2})
        assert reply.status_code == 403, (method, url, reply.text)
        assert reply.headers["content-type"].startswith("application/json")
    state = instructor.get(f"/course/api/live/sessions/{live_session['id']}").json()
    assert state["session"]["state"] == "open" and state["groups"] == []


@pytest.mark.parametrize(("method", "route"), JUPYTER_ROUTES)
def test_participant_cannot_reach_kernels_or_files(live_session, join, method, route) -> None:
    ada = join(live_session)
    reply = ada.request(method, route, json={"type": "file", "content": "x", "format": "text"})
    assert reply.status_code == 403, reply.text


def test_participant_cannot_use_another_session(instructor, live_session, join) -> None:
    other = instructor.post("/course/api/live/sessions", json={"module": "m2"}).json()
    ada = join(live_session)
    secret = ada.cookies[f"course-live-{live_session['id']}"]
    ada.cookies.set(f"course-live-{other['id']}", secret)  # the right secret, the wrong session
    for method, route in [
        ("GET", "/course/api/live/sessions/{sid}/me"),
        ("PUT", "/course/api/live/sessions/{sid}/me/answers/1"),
        ("POST", "/course/api/live/sessions/{sid}/me/questions"),
        ("PUT", "/course/api/live/sessions/{sid}/me/votes/1"),
    ]:
        reply = ada.request(method, route.format(sid=other["id"]), json={"value": 0, "text": "x"})
        assert reply.status_code == 403, (route, reply.text)
        assert "join session" in reply.json()["message"]


def test_participant_routes_need_the_cookie(live_server, live_session) -> None:
    sid = live_session["id"]
    with live_server.anonymous() as stranger:
        assert stranger.get(f"/course/api/live/sessions/{sid}/me").status_code == 403
        stranger.cookies.set(f"course-live-{sid}", "guessed-secret")
        assert stranger.get(f"/course/api/live/sessions/{sid}/me").status_code == 403


def test_the_instructor_is_not_a_participant_without_joining(instructor, live_session) -> None:
    reply = instructor.get(f"/course/api/live/sessions/{live_session['id']}/me")
    assert reply.status_code == 403


def test_cross_site_posts_are_refused(live_server, live_session, join) -> None:
    ada = join(live_session)
    reply = ada.post(
        f"/course/api/live/sessions/{live_session['id']}/me/questions",
        json={"text": "from evil.example"},
        headers={"Origin": "https://evil.example"},
    )
    assert reply.status_code in (403, 404)
    assert ada.get(f"/course/api/live/sessions/{live_session['id']}/me").json()["questions"] == []


@pytest.mark.parametrize("authorization", ["", "token wrong", "Bearer cev1.e30.forged"])
def test_events_need_an_event_credential(live_server, authorization: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with live_server.anonymous() as kernel:
        reply = kernel.post("/course/api/events", json=[], headers=headers)
    assert reply.status_code == 403


def test_the_instructors_jupyter_token_is_not_an_event_credential(instructor) -> None:
    """Only a credential says whose events they are; the instructor's token names nobody."""
    reply = instructor.post("/course/api/events", json=[])
    assert reply.status_code == 403 and "credential" in reply.json()["message"]


def test_a_revoked_credential_is_refused(live_server) -> None:
    from course.identity import course_credentials
    from course.plan import load_course

    credential = live_server.credential("revoked-one")
    course_credentials(load_course(live_server.course)).revoke("revoked-one")
    with live_server.anonymous() as kernel:
        reply = kernel.post(
            "/course/api/events", json=[], headers={"Authorization": f"Bearer {credential}"}
        )
    assert reply.status_code == 403 and "revoked" in reply.json()["message"]
