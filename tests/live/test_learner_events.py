"""The learner's event queue (course.learn.events) delivering to the real course server,
with the learner's own event credential: the server takes the actor from it."""

from __future__ import annotations

import uuid
from pathlib import Path

from course.learn.events import EventLog
from course.plan import load_course
from course.record.events import read_events

URL = "/course/api/events"


def statement(actor: str, course: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": actor, "account": {"name": actor}},
        "verb": {"id": "x:checked", "display": {"en": "checked"}},
        "object": {"id": "x:m1-squares"},
        "timestamp": "2027-01-20T10:00:00Z",
        "context": {"extensions": {"urn:blended-course-kit:course": course}},
    }


def test_learner_queue_delivers_once_to_the_course_server(live_server, tmp_path: Path) -> None:
    credential = live_server.credential("ada")
    url = f"{live_server.url}{URL}"
    log = EventLog(tmp_path / "learner", url, token=credential, timeout=10)
    first = log.record("completed", "module", "m1")
    second = log.record("answered", "quiz", "m1-len", {"success": True})
    assert log.pending() == 0
    with live_server.anonymous() as kernel:
        replay = kernel.post(
            URL, json=[first, second], headers={"Authorization": f"Bearer {credential}"}
        )
    assert replay.json() == {"received": 2, "stored": 0, "duplicates": 2}


def test_the_actor_is_the_credentials_learner_whatever_the_body_says(live_server) -> None:
    course = load_course(live_server.course)
    forged = statement("grace", course.id)
    with live_server.anonymous() as kernel:
        reply = kernel.post(
            URL, json=[forged], headers={"Authorization": f"Bearer {live_server.credential('bo')}"}
        )
    assert reply.json()["stored"] == 1
    stored = {e.id: e for e in read_events(course)}
    assert stored[forged["id"]].learner == "bo"


def test_a_wrong_credential_keeps_events_queued(live_server, tmp_path: Path) -> None:
    log = EventLog(tmp_path / "learner", f"{live_server.url}{URL}", token="nope")
    log.record("completed", "module", "m1")
    assert log.pending() == 1
