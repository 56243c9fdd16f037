"""What nbgrader's gradebook says about the class: students, submission totals, test scores.

Read-only (the gradebook wants a single writer: ``course grade`` or nbgrader itself).
A gradebook that does not exist yet is an empty one, so a fresh course shows zeros.
Per-test scores are read here once, for every number built on them: the dashboard's
hardest tests and, later, ``course report``'s item analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from course.record.store import read_only_sqlite


@dataclass(frozen=True)
class Submission:
    """A learner's graded submission of one assignment: total points and the maximum."""

    learner: str
    assignment: str
    score: float
    max_score: float

    @property
    def share(self) -> float | None:
        """score / max_score; None when the assignment has no points to share."""
        return self.score / self.max_score if self.max_score else None


@dataclass(frozen=True)
class TestScore:
    """A learner's score on one autograded test cell of one assignment."""

    __test__ = False  # not a pytest test class, whatever its name
    learner: str
    assignment: str
    test: str
    score: float
    max_score: float

    @property
    def passed(self) -> bool:
        """Full points: what nbgrader's autograder gives a test that raised nothing."""
        return self.max_score > 0 and self.score >= self.max_score


@dataclass(frozen=True)
class Grades:
    students: frozenset[str]
    submissions: tuple[Submission, ...]
    tests: tuple[TestScore, ...]


NO_GRADES = Grades(frozenset(), (), ())


def read_gradebook(path: Path) -> Grades:
    """Students, submission totals and autograded test scores; empty when there is no gradebook.

    Plain column queries, three in all: nbgrader's ORM objects would load each
    submission's assignment and each grade's cell one query at a time.
    """
    if not path.is_file():
        return NO_GRADES
    from nbgrader.api import Student  # imported here: nbgrader takes 1 s

    engine = read_only_sqlite(path)
    try:
        with Session(engine) as db:
            students = frozenset(db.scalars(select(Student.id)).all())
            submissions = tuple(
                Submission(learner, assignment, float(score or 0.0), float(max_score or 0.0))
                for learner, assignment, score, max_score in db.execute(_submissions()).all()
            )
            tests = _test_scores(db)
    except SQLAlchemyError:  # a gradebook from another nbgrader, or half-written: no grades
        return NO_GRADES
    finally:
        engine.dispose()
    return Grades(students, submissions, tests)


def _submissions() -> Select[tuple[Any, ...]]:
    from nbgrader.api import Assignment, SubmittedAssignment

    return select(
        SubmittedAssignment.student_id,
        Assignment.name,
        SubmittedAssignment.score,
        SubmittedAssignment.max_score,
    ).join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)


def _test_scores(db: Session) -> tuple[TestScore, ...]:
    """Scores of autograder test cells: grade cells that are not also solution (answer) cells."""
    from nbgrader.api import (
        Assignment,
        Grade,
        GradeCell,
        SolutionCell,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    answers = set(db.execute(select(SolutionCell.notebook_id, SolutionCell.name)).all())
    rows = db.execute(
        select(
            GradeCell.notebook_id,
            SubmittedAssignment.student_id,
            Assignment.name,
            GradeCell.name,
            Grade.score,
            GradeCell.max_score,
        )
        .select_from(Grade)
        .join(GradeCell, Grade.cell_id == GradeCell.id)
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
    ).all()
    return tuple(
        TestScore(learner, assignment, test, float(score or 0.0), float(max_score or 0.0))
        for notebook, learner, assignment, test, score, max_score in rows
        if (notebook, test) not in answers
    )
