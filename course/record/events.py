"""Learners' progress events: the table the course server fills, and the readers of it.

Events are small xAPI statements (``course.learn.events`` writes them in a learner's
kernel and sends them to the course server). The server stores each once, keyed by
the statement's UUID, in ``progress_events``; a learner's own log on their laptop
holds the same statements, so reading both counts each statement once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Float, String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from course.layout import live_store_path
from course.learn.events import DB_NAME
from course.learn.progress import module_of
from course.plan import Course
from course.record.store import Database, RecordBase, now, read_only_sqlite


class ProgressEvent(RecordBase):
    """A learner's xAPI statement, keyed by its UUID so a resent batch is stored once."""

    __tablename__ = "progress_events"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    verb: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(60))
    object_name: Mapped[str] = mapped_column(String(300))
    course: Mapped[str | None] = mapped_column(String(60), nullable=True)
    module: Mapped[str | None] = mapped_column(String(60), nullable=True)
    success: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    scaled: Mapped[float | None] = mapped_column(Float, nullable=True)
    timestamp: Mapped[str] = mapped_column(String(40))
    body: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


@dataclass(frozen=True)
class Event:
    """One progress event, reduced to what the class record counts.

    ``learner`` is the statement's actor: the learner id once issue 12's sign-in sets it.
    """

    id: str
    learner: str
    verb: str
    module: str | None
    exercise: str
    success: bool | None = None
    scaled: float | None = None


def store_events(database: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Store ``progress_events`` rows whose id is new; returns how many were new."""
    with database.session() as db:
        return database.insert_new(db, ProgressEvent, list(rows))


def read_events(course: Course, engine: Engine | None = None) -> list[Event]:
    """The course's events the server stored, in arrival order; none when there is no store.

    Without ``engine``, the default store file of the course (``live_store_path``) is
    opened read-only, so a dashboard can read beside a running server.
    """
    own = engine is None
    if engine is None:
        path = live_store_path(course)
        if not path.is_file():
            return []
        engine = read_only_sqlite(path)
    columns = (
        ProgressEvent.id,
        ProgressEvent.actor,
        ProgressEvent.verb,
        ProgressEvent.module,
        ProgressEvent.object_name,
        ProgressEvent.success,
        ProgressEvent.scaled,
    )
    query = select(*columns).where(ProgressEvent.course.in_([course.id]))
    try:
        with Session(engine) as db:
            rows = db.execute(query.order_by(ProgressEvent.received_at, ProgressEvent.id)).all()
    except SQLAlchemyError:  # no events table yet: the server never started
        return []
    finally:
        if own:
            engine.dispose()
    return [Event(*row) for row in rows]


def read_log(course: Course, folder: Path) -> list[Event]:
    """Events of one learner's local log (``course.learn.events``), read without writing."""
    path = Path(folder) / DB_NAME
    if not path.is_file():
        return []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT body FROM events WHERE course = ? OR course IS NULL ORDER BY seq", (course.id,)
        ).fetchall()
    modules = [m.id for m in course.modules]
    return [_from_statement(json.loads(body), modules) for (body,) in rows]


def _from_statement(statement: dict[str, Any], modules: list[str]) -> Event:
    result = statement.get("result", {})
    return Event(
        id=statement["id"],
        learner=statement["actor"]["account"]["name"],
        verb=statement["verb"]["display"]["en"],
        module=module_of(statement, modules),
        exercise=statement["object"]["definition"]["name"]["en"],
        success=result.get("success"),
        scaled=result.get("score", {}).get("scaled"),
    )


def dedupe(events: Iterable[Event]) -> list[Event]:
    """A statement sent to the server and also read from a local log counts once."""
    return list({event.id: event for event in events}.values())
