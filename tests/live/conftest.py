"""Fixtures for live sessions: one real server per test worker, sessions made per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from course.testing import CourseServer
from tests.sample import copy_sample_course

Join = Callable[..., httpx.Client]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    """A server shared by a worker's tests; each test makes its own live session."""
    course = copy_sample_course(tmp_path_factory.mktemp("live") / "course")
    server = CourseServer(course, rate_limits={"join-failure": [1, 30]})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def instructor(live_server: CourseServer) -> Iterator[httpx.Client]:
    with live_server.instructor() as client:
        yield client


@pytest.fixture
def live_session(instructor: httpx.Client) -> dict[str, Any]:
    """A fresh session of module m1 (its five polls loaded as drafts)."""
    reply = instructor.post("/course/api/live/sessions", json={"module": "m1"})
    assert reply.status_code == 201, reply.text
    return reply.json()


@pytest.fixture
def join(live_server: CourseServer) -> Iterator[Join]:
    """join(session, name) → a cookie-holding participant client (closed after the test)."""
    clients: list[httpx.Client] = []

    def _join(session: dict[str, Any], name: str | None = "Ada", **extra: Any) -> httpx.Client:
        client = live_server.anonymous()
        clients.append(client)
        body = {"code": session["join_code"], "name": name, **extra}
        if name is None:
            body.pop("name")
        reply = client.post("/course/api/live/join", json=body)
        assert reply.status_code == 201, reply.text
        client.participant = reply.json()["participant"]  # type: ignore[attr-defined]
        return client

    yield _join
    for client in clients:
        client.close()
