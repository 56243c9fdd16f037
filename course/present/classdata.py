"""Everything the dashboard knows about a class, read once into plain records.

Two sources, read-only: progress events (the course server's ``progress_events``
table, plus any learner event logs given, e.g. an instructor's own laptop) and
nbgrader's gradebook (submissions and per-test scores). A source that does not
exist yet is an empty source, so a fresh course shows zeros instead of failing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Grade, GradeCell, SolutionCell, Student, SubmittedAssignment
from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from course.layout import gradebook_path
from course.learn.events import DB_NAME
from course.learn.progress import module_of
from course.plan import Course
from course.record import ProgressEvent

LIVE_STORE = "live.sqlite"


@dataclass(frozen=True)
class Event:
    """One progress event, reduced to what the dashboard counts."""

    id: str
    learner: str
    verb: str
    module: str | None
    exercise: str
    success: bool | None = None
    scaled: float | None = None


@dataclass(frozen=True)
class Submission:
    learner: str
    assignment: str
    score: float
    max_score: float


@dataclass(frozen=True)
class TestScore:
    """A learner's score on one autograded test cell of one assignment."""

    learner: str
    assignment: str
    test: str
    score: float
    max_score: float


@dataclass
class ClassRecord:
    """A class as the dashboard sees it; ``learners`` also holds students without any work."""

    learners: set[str] = field(default_factory=set)
    events: list[Event] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    tests: list[TestScore] = field(default_factory=list)


def load_class(course: Course, learner_logs: Iterable[Path] = ()) -> ClassRecord:
    """The class from the course server's events, extra learner logs and the gradebook."""
    events = _dedupe(
        [*read_server_events(course), *(e for f in learner_logs for e in read_log(course, f))]
    )
    students, submissions, tests = read_gradebook(gradebook_path(course))
    learners = students | {e.learner for e in events} | {s.learner for s in submissions}
    return ClassRecord(learners, events, submissions, tests)


def read_server_events(course: Course, path: Path | None = None) -> list[Event]:
    """Events the course server received (``var/live.sqlite``), in arrival order."""
    path = path or course.data_path / LIVE_STORE
    if not path.is_file():
        return []
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
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
            rows = db.execute(query.order_by(ProgressEvent.received_at)).all()
    except SQLAlchemyError:  # no events table yet: the server never started
        return []
    finally:
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


def _from_statement(statement: dict, modules: list[str]) -> Event:
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


def _dedupe(events: list[Event]) -> list[Event]:
    """A statement sent to the server and also read from a local log counts once."""
    return list({event.id: event for event in events}.values())


def read_gradebook(path: Path) -> tuple[set[str], list[Submission], list[TestScore]]:
    """Students, submission totals and autograded test scores; empty when there is no gradebook."""
    if not path.is_file():
        return set(), [], []
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with Session(engine) as db:
            students = set(db.scalars(select(Student.id)).all())
            submissions = [
                Submission(s.student_id, s.assignment.name, float(s.score), float(s.max_score))
                for s in db.scalars(select(SubmittedAssignment)).all()
            ]
            tests = _test_scores(db)
    except SQLAlchemyError:  # a gradebook from another nbgrader, or half-written: no grades
        return set(), [], []
    finally:
        engine.dispose()
    return students, submissions, tests


def _test_scores(db: Session) -> list[TestScore]:
    """Scores of autograder test cells: grade cells that are not also solution (answer) cells."""
    answers = {(c.notebook_id, c.name) for c in db.scalars(select(SolutionCell)).all()}
    scores = []
    for grade in db.scalars(select(Grade).join(GradeCell, Grade.cell_id == GradeCell.id)).all():
        cell = grade.cell
        if (cell.notebook_id, cell.name) in answers:
            continue
        submitted = grade.notebook.assignment
        scores.append(
            TestScore(
                submitted.student_id,
                submitted.assignment.name,
                cell.name,
                float(grade.score or 0.0),
                float(grade.max_score),
            )
        )
    return scores
