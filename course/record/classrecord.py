"""The class as one record: who the learners are and what they did, read once.

Three sources, read-only: progress events (the course server's ``progress_events``
table, plus any learner event logs given, e.g. an instructor's own laptop),
nbgrader's gradebook (students, submissions and per-test scores) and the graded
notebooks' error types (``course.record.outcomes``). A source that does not exist yet
is an empty source, so a fresh course shows zeros instead of failing.
Every number about the class (``course.record.mastery``, ``course.record.items``)
is computed from one ``ClassRecord``, so the dashboard and the presenter page agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from course.layout import gradebook_path
from course.plan import Course
from course.record.events import Event, dedupe, read_events, read_log
from course.record.gradebook import Submission, TestScore, read_gradebook
from course.record.outcomes import TestError, read_test_errors
from course.record.roster import load_roster


@dataclass(frozen=True)
class ClassRecord:
    """A class, by learner id: everyone known, every event, submission and test score.

    ``errors`` are the error types the graded test cells raised (``course.record.outcomes``).
    ``learners`` are the roster's learners (``course.record.roster``) once there is
    a roster: the class is who is enrolled, whatever else posted events (the
    instructor trying a lesson) or sits in the gradebook. Without a roster they are
    the gradebook's students and everyone with an event or a submission (so it holds
    students without any work).
    """

    learners: frozenset[str]
    events: tuple[Event, ...] = ()
    submissions: tuple[Submission, ...] = ()
    tests: tuple[TestScore, ...] = ()
    errors: tuple[TestError, ...] = ()


def load_class(
    course: Course,
    *,
    events: Engine | None = None,
    learner_logs: Iterable[Path] = (),
    errors: bool = True,
) -> ClassRecord:
    """The class from the server's events, extra learner logs and the gradebook.

    ``events`` is the course server's database engine; without it the course's default
    store file is read, read-only. ``errors=False`` leaves ``ClassRecord.errors`` empty
    and skips reading every graded notebook: for callers that need mastery and readiness
    only, many times a minute (the live presenter page).
    """
    logged = (event for folder in learner_logs for event in read_log(course, folder))
    found = dedupe([*read_events(course, events), *logged])
    grades = read_gradebook(gradebook_path(course))
    roster = load_roster(course)
    learners = (
        set(roster.ids)
        if len(roster)
        else grades.students | {e.learner for e in found} | {s.learner for s in grades.submissions}
    )
    return ClassRecord(
        frozenset(learners),
        tuple(found),
        grades.submissions,
        grades.tests,
        read_test_errors(course) if errors else (),
    )
