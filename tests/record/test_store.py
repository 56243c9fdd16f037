"""The progress-events table belongs to the class record: stores made before keep every row."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select

from course.live.store import LIVE, Base, Store
from course.plan import Course
from course.record import Database, ProgressEvent, sqlite_url, store_events
from course.record.events import read_events
from course.record.store import EVENTS
from course.testing import postgres as pgserver

OLD_STORE = Path(__file__).parent / "files" / "live-store-0001.sql"
TABLES = [
    "live_sessions",
    "live_participants",
    "live_polls",
    "live_answers",
    "live_questions",
    "live_votes",
    "live_groups",
    "progress_events",
]


def _models_table(name: str, type_: str, parent: object) -> bool:
    return not (type_ == "table" and name.endswith("_alembic_version"))


def heads(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return {
            chain.version_table: MigrationContext.configure(
                connection, opts={"version_table": chain.version_table}
            ).get_current_revision()
            for chain in (EVENTS, LIVE)
        }


def schema_differences(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _models_table})
        return compare_metadata(context, [Base.metadata, ProgressEvent.metadata])


def counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_a_store_made_by_live_revision_0001_keeps_its_rows(tmp_path: Path, course: Course) -> None:
    path = tmp_path / "live.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(OLD_STORE.read_text(encoding="utf-8"))
    before = counts(path)
    assert before["progress_events"] == 3 and before["live_answers"] == 2

    store = Store(sqlite_url(path))
    try:
        store.migrate()
        assert heads(store.engine) == {
            "course_record_alembic_version": "r0001",
            "course_live_alembic_version": "0003",
        }
        assert schema_differences(store.engine) == []
        with closing(sqlite3.connect(path)) as db:  # joined before learners signed in
            learners = set(db.execute("SELECT learner FROM live_participants"))
        assert learners == {(None,)}
        assert sorted(e.learner for e in read_events(course, store.engine)) == ["ada", "bo", "bo"]
        new = {**_row("4"), "course": course.id}
        assert store_events(store, [new]) == 1  # the adopted table takes new events
    finally:
        store.dispose()
    assert counts(path) == {**before, "progress_events": 4}


def _row(event_id: str) -> dict:
    return {
        "id": event_id,
        "actor": "cy",
        "verb": "checked",
        "kind": "exercise",
        "object_name": "m1-squares",
        "course": "pydata",
        "module": "m1",
        "success": True,
        "scaled": 1.0,
        "timestamp": "2027-01-12T10:00:00+00:00",
        "body": {},
    }


def test_events_written_first_by_the_record_then_served_by_live(tmp_path: Path) -> None:
    """A synthetic class written before the first ``course serve``: the live chain still runs."""
    url = sqlite_url(tmp_path / "live.sqlite")
    database = Database(url)
    database.migrate()
    store_events(database, [_row("1")])
    database.dispose()
    assert heads(database.engine)["course_live_alembic_version"] is None

    store = Store(url)
    try:
        store.migrate()
        assert schema_differences(store.engine) == []
        with store.session() as db:
            assert db.scalar(select(func.count()).select_from(ProgressEvent)) == 1
    finally:
        store.dispose()


class OldStore(Store):
    """The store as it was: the live chain alone (its table of events added by hand)."""

    chains = (LIVE,)


@pytest.fixture
def postgres() -> Iterator[pgserver.PostgresServer]:
    if not pgserver.available():
        pytest.fail(f"PostgreSQL binaries not found in {pgserver.BIN}")
    server = pgserver.PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_a_postgresql_store_of_revision_0001_is_adopted(postgres: pgserver.PostgresServer) -> None:
    """The old layout rebuilt on PostgreSQL: live 0001, and the events table it used to make."""
    old = OldStore(postgres.url)
    old.migrate()
    ProgressEvent.metadata.create_all(old.engine)
    store_events(old, [_row("1"), _row("2")])
    old.dispose()

    store = Store(postgres.url)
    try:
        store.migrate()
        assert heads(store.engine)["course_record_alembic_version"] == "r0001"
        assert schema_differences(store.engine) == []
        assert "progress_events" in inspect(store.engine).get_table_names()
        with store.session() as db:
            assert db.scalar(select(func.count()).select_from(ProgressEvent)) == 2
    finally:
        store.dispose()
