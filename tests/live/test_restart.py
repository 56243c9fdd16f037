"""Nothing is lost when the server is killed (SIGKILL) and started again, on SQLite and
on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.testing import CourseServer
from course.testing import postgres as pgserver
from tests.sample import copy_sample_course


def run_a_class_then_kill_and_restart(server: CourseServer) -> None:
    """Drive a session through every kind of write, SIGKILL, restart, and check each."""
    server.start()
    boss = server.instructor()
    session = boss.post("/course/api/live/sessions", json={"module": "m2"}).json()
    sid = session["id"]
    people = []
    for i in range(6):
        person = server.anonymous()
        reply = person.post(
            "/course/api/live/join", json={"code": session["join_code"], "name": f"p{i}"}
        )
        assert reply.status_code == 201
        people.append(person)
    poll = boss.post(f"/course/api/live/sessions/{sid}/next").json()["poll"]
    for i, person in enumerate(people):
        answer = person.put(
            f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}", json={"value": i % 4}
        )
        assert answer.status_code == 200
    question = people[0].post(
        f"/course/api/live/sessions/{sid}/me/questions", json={"text": "Why?"}
    )
    for person in people[1:4]:
        person.put(f"/course/api/live/sessions/{sid}/me/votes/{question.json()['id']}")
    boss.post(f"/course/api/live/sessions/{sid}/groups", json={"size": 3})
    event = {
        "id": str(uuid.uuid4()),
        "actor": {"name": "p0"},
        "verb": {"id": "x:checked", "display": {"en": "checked"}},
        "object": {"id": "x:m2-filter"},
        "timestamp": "2027-01-20T10:00:00Z",
    }
    headers = {"Authorization": f"Bearer {server.credential('p0')}"}
    assert boss.post("/course/api/events", json=[event], headers=headers).json()["stored"] == 1
    before = boss.get(f"/course/api/live/sessions/{sid}").json()

    server.kill()
    server.start()

    after = boss.get(f"/course/api/live/sessions/{sid}").json()
    assert after == before
    assert after["polls"][0]["results"]["answers"] == 6
    assert after["questions"][0]["votes"] == 3 and after["participants"] == 6
    assert sum(len(g["members"]) for g in after["groups"]) == 6
    resent = boss.post("/course/api/events", json=[event], headers=headers).json()
    assert resent == {"received": 1, "stored": 0, "duplicates": 1}
    me = people[0].get(f"/course/api/live/sessions/{sid}/me")  # the old cookie still works
    assert me.status_code == 200 and me.json()["answer"] == 0
    again = people[0].put(
        f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}", json={"value": 3}
    )
    assert again.status_code == 200
    for client in [boss, *people]:
        client.close()


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_sample_course(tmp_path / "course")


def test_sqlite_store_survives_sigkill_and_restart(course: Path) -> None:
    server = CourseServer(course)
    try:
        run_a_class_then_kill_and_restart(server)
    finally:
        server.stop()
    assert (course / "var" / "live.sqlite").exists()


@pytest.fixture
def postgres() -> Iterator[pgserver.PostgresServer]:
    if not pgserver.available():
        pytest.fail(f"PostgreSQL binaries not found in {pgserver.BIN}; .ci/run installs them")
    server = pgserver.PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_postgres_store_survives_sigkill_and_restart(course: Path, postgres) -> None:
    server = CourseServer(course, db_url=postgres.url)
    try:
        run_a_class_then_kill_and_restart(server)
    finally:
        server.stop()
    assert not (course / "var" / "live.sqlite").exists()
