"""A classroom at once: correct joins from one address (behind one router) never run into
the wrong-code limit, which only failed joins use up; answers sent together are stored
together (one transaction per batch) and each gets its own reply."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from course.testing import CourseServer
from tests.sample import copy_sample_course


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    """A server with the default rate limits (20 wrong codes per address)."""
    server = CourseServer(copy_sample_course(tmp_path_factory.mktemp("burst") / "course"))
    server.start()
    yield server
    server.stop()


async def _answer_all(
    server: CourseServer, sid: int, poll_id: int, cookies: list[str], values: list[object]
) -> list[int]:
    async def one(cookie: str, value: object) -> int:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            reply = await client.put(
                f"/course/api/live/sessions/{sid}/me/answers/{poll_id}",
                json={"value": value},
                headers={"Cookie": cookie},
            )
            return reply.status_code

    return list(await asyncio.gather(*(one(c, v) for c, v in zip(cookies, values, strict=True))))


def test_answers_sent_at_once_are_each_stored_or_refused(default_server) -> None:
    with default_server.instructor() as instructor:
        session = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
        sid = session["id"]
        cookies = []
        with default_server.anonymous() as client:
            for i in range(60):
                body = {"code": session["join_code"], "name": f"A{i}"}
                assert client.post("/course/api/live/join", json=body).status_code == 201
                cookies.append(f"course-live-{sid}={client.cookies[f'course-live-{sid}']}")
                client.cookies.clear()
        poll = instructor.post(f"/course/api/live/sessions/{sid}/next").json()["poll"]
        values: list[object] = [i % 3 for i in range(50)] + [9] * 10  # ten invalid ones
        statuses = asyncio.run(_answer_all(default_server, sid, poll["id"], cookies, values))
        assert statuses == [200] * 50 + [400] * 10
        results = instructor.get(f"/course/api/live/sessions/{sid}/polls/{poll['id']}").json()
        assert results["results"] == {"answers": 50, "counts": [17, 17, 16]}


async def _join_all(server: CourseServer, code: str, n: int) -> list[int]:
    async def one(number: int) -> int:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            body = {"code": code, "name": f"P{number}"}
            return (await client.post("/course/api/live/join", json=body)).status_code

    return list(await asyncio.gather(*(one(i) for i in range(n))))


def test_fifty_simultaneous_joins_from_one_address_all_succeed(default_server) -> None:
    with default_server.instructor() as instructor:
        session = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
        statuses = asyncio.run(_join_all(default_server, session["join_code"], 50))
        assert statuses == [201] * 50
        assert (
            instructor.get(f"/course/api/live/sessions/{session['id']}").json()["participants"]
            == 50
        )
    # Wrong codes are still limited afterwards (this empties the address's bucket: keep
    # this test after the others that join on this server).
    with default_server.anonymous() as guesser:
        codes = [
            guesser.post("/course/api/live/join", json={"code": f"ZZZZ{i:02d}", "name": "x"})
            for i in range(75)
        ]
    # 20 of the address's own, then 50 borrowed from the overflow shared by all addresses
    assert [c.status_code for c in codes[:70]] == [404] * 70
    assert {c.status_code for c in codes[70:]} == {429}
