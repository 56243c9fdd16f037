"""The learner's event queue (course.learn.events) delivering to the real course server."""

from __future__ import annotations

from pathlib import Path

from course.learn.events import EventLog


def test_learner_queue_delivers_once_to_the_course_server(live_server, tmp_path: Path) -> None:
    token = (live_server.course / "var" / "live-events-token").read_text()
    url = f"{live_server.url}/course/api/events"
    log = EventLog(tmp_path / "learner", url, token=token, timeout=10)
    first = log.record("completed", "module", "m1")
    second = log.record("answered", "quiz", "m1-len", {"success": True})
    assert log.pending() == 0
    with live_server.instructor() as boss:
        replay = boss.post(url, json=[first, second], headers={"Authorization": f"token {token}"})
    assert replay.json() == {"received": 2, "stored": 0, "duplicates": 2}


def test_a_wrong_token_keeps_events_queued(live_server, tmp_path: Path) -> None:
    log = EventLog(tmp_path / "learner", f"{live_server.url}/course/api/events", token="nope")
    log.record("completed", "module", "m1")
    assert log.pending() == 1
