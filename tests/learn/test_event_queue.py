"""Progress events: stored locally first, sent to the events server exactly once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from course.learn import EventLog, event_log, exercise, quiz
from course.learn.events import CREDENTIAL_FILE, DB_NAME
from tests.learn.conftest import EventsServer

RunCells = Callable[[list[str], Path], list[str]]


def test_events_are_xapi_statements_read_back_from_sqlite(course_dir: Path, learner: Path) -> None:
    quiz("a-len").answer("3")
    stored = event_log().read()
    assert len(stored) == 1
    event = stored[0]
    assert set(event) >= {"id", "actor", "verb", "object", "result", "timestamp", "context"}
    assert event["actor"]["account"]["name"] == "ada"
    assert event["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert event["object"]["id"] == "urn:blended-course-kit:mini:quiz:a-len"
    assert event["result"] == {
        "success": True,
        "response": "3",
        "extensions": {"urn:blended-course-kit:kind": "single"},
    }
    with sqlite3.connect(learner / DB_NAME) as db:  # really on disk, in the learner's folder
        assert db.execute("SELECT id, verb, sent FROM events").fetchall() == [
            (event["id"], "answered", 0)
        ]


def test_without_a_server_nothing_is_pending_to_send(course_dir: Path) -> None:
    quiz("a-len").answer("3")
    log = event_log()
    assert log.url is None and log.flush() == 0


def test_offline_events_are_sent_once_when_the_server_is_back(
    course_dir: Path, learner: Path, events_server
) -> None:
    log = EventLog(learner, events_server.url, token="s3cret", timeout=1)
    events_server.stop()  # the port is closed: connection refused
    first = log.record("completed", "module", "a")
    events_server.failing = True
    events_server.start()  # the server is up but answers 503
    second = log.record("completed", "module", "b")
    assert log.pending() == 2 and events_server.batches == []

    events_server.failing = False
    third = log.record("answered", "quiz", "a-len", {"success": True})  # goes with the queue

    assert events_server.ids == [first["id"], second["id"], third["id"]]
    assert len(events_server.batches) == 1
    assert events_server.headers[0]["Authorization"] == "Bearer s3cret"
    assert log.pending() == 0
    assert log.flush() == 0 and len(events_server.batches) == 1  # nothing sent twice


def test_flush_sends_in_batches_and_marks_each_event_sent(
    course_dir: Path, learner: Path, events_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("course.learn.events.BATCH", 3)
    offline = EventLog(learner)
    ids = [offline.record("completed", "module", "a")["id"] for _ in range(7)]
    online = EventLog(learner, events_server.url)
    assert online.pending() == 7
    assert online.flush() == 7
    assert [len(b) for b in events_server.batches] == [3, 3, 1]
    assert events_server.ids == ids


@pytest.mark.slow
def test_a_kernel_sends_its_events_to_the_server(
    course_dir: Path, events_server, monkeypatch: pytest.MonkeyPatch, run_cells: RunCells
) -> None:
    monkeypatch.setenv("COURSE_EVENTS_URL", events_server.url)
    monkeypatch.setenv("COURSE_EVENTS_TOKEN", "kernel-token")
    outputs = run_cells(
        [
            "from course.learn import exercise, complete\n"
            'ex = exercise("a-one", tests=[("one()", 1)])\n'
            "def one():\n    return 1\n"
            "ex.check()",
            'complete("a")',
        ],
        course_dir,
    )
    assert "1 of 1 tests passed" in outputs[0] and "a: done" in outputs[1]
    verbs = [e["verb"]["display"]["en"] for batch in events_server.batches for e in batch]
    assert verbs == ["checked", "completed"]
    assert events_server.headers[0]["Authorization"] == "Bearer kernel-token"
    assert event_log().pending() == 0 and len(event_log().read()) == 2


def test_unwritable_data_folder_is_a_note_not_a_crash(
    course_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_LEARNER_DATA", str(blocker / "data"))
    one = exercise("a-one", tests=[("1 + 1", 2)])
    result = one.check()
    assert result.passed
    assert "progress not saved" in result.text() and "COURSE_LEARNER_DATA" in result.text()


def test_the_credential_the_server_wrote_wins_and_is_read_at_each_send(
    course_dir: Path, learner: Path, events_server
) -> None:
    log = EventLog(learner, events_server.url, token="from-the-environment")
    log.record("completed", "module", "a")
    (learner / CREDENTIAL_FILE).write_text("first-credential\n")
    log.record("completed", "module", "b")
    (learner / CREDENTIAL_FILE).write_text("renewed-credential")
    log.record("completed", "module", "a")
    assert [h["Authorization"] for h in events_server.headers] == [
        "Bearer from-the-environment",
        "Bearer first-credential",
        "Bearer renewed-credential",
    ]


def test_events_go_over_a_unix_socket(course_dir: Path, learner: Path, tmp_path: Path) -> None:
    server = EventsServer(socket_path=tmp_path / "events.sock")
    server.start()
    try:
        log = EventLog(learner, server.url, token="c")
        assert server.url.startswith("http+unix://%2F")
        event = log.record("completed", "module", "a")
        assert server.ids == [event["id"]] and log.pending() == 0
        server.stop()
        later = log.record("completed", "module", "b")  # the socket is gone: queued
        assert log.pending() == 1
        server.start()
        assert log.flush() == 1 and server.ids == [event["id"], later["id"]]
    finally:
        server.stop()
