"""The class's scores as export writes them: nbgrader's gradebook, joined with the roster.

Read through nbgrader's own ``Gradebook`` (its ``score`` and ``max_score`` rules:
a manual grade wins over the autograder's), once, into plain rows. Learners are
the roster's, in its order, then any gradebook student the roster lacks; the
plan's late penalty (``course.yml``'s ``late_penalty``) is applied here, against
each learner's own due date (``course.record.roster.due``: extensions included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from course.errors import CourseError
from course.layout import gradebook_path, gradebook_url
from course.plan import Course, LatePenalty
from course.record.roster import Learner, Roster, due, load_roster


class ExportError(CourseError):
    """Grades cannot be exported as asked; the message says what to change."""


@dataclass(frozen=True)
class Question:
    """One graded cell of a submission: its name (nbgrader's grade id), score and maximum."""

    name: str
    score: float
    max_score: float


@dataclass(frozen=True)
class Score:
    """A learner's submission of one assignment, with the penalty the plan asks for."""

    learner: str
    assignment: str
    timestamp: datetime | None  # naive UTC, as nbgrader stores it
    raw: float
    penalty: float
    max_score: float
    questions: tuple[Question, ...] = ()

    @property
    def score(self) -> float:
        """The raw score less the penalty, never below zero (nbgrader's rule)."""
        return max(0.0, _number(Decimal(str(self.raw)) - Decimal(str(self.penalty))))


@dataclass(frozen=True)
class Assignment:
    name: str
    duedate: datetime | None  # naive UTC, as nbgrader stores it
    max_score: float
    questions: tuple[Question, ...]  # the graded cells, their maximum as score


@dataclass
class ClassScores:
    """Everything an export needs: assignments, learners, and each submission's score."""

    assignments: list[Assignment]
    learners: list[Learner]
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)
    penalized: int = 0

    def score(self, learner: str, assignment: str) -> Score | None:
        return self.scores.get((learner, assignment))


def late_penalty(rule: LatePenalty | None, score: Score, deadline: datetime) -> float:
    """Points ``rule`` takes from a submission made at ``score.timestamp`` for ``deadline``.

    Each started hour or day past the deadline counts as a whole one; the share
    taken never passes ``cap``, and the points never pass the raw score.
    """
    if rule is None or score.timestamp is None:
        return 0.0
    late = score.timestamp.replace(tzinfo=UTC) - deadline
    if late <= timedelta(0):
        return 0.0
    unit = {"hour": timedelta(hours=1), "day": timedelta(days=1)}.get(rule.per)
    periods = math.ceil(late / unit) if unit else 1
    share = min(Decimal(str(rule.cap)), Decimal(str(rule.deduct)) * periods)
    return min(score.raw, _number(share * Decimal(str(score.max_score))))


def _number(value: Decimal) -> float:
    return float(value)


def read_scores(course: Course, assignments: list[str] | None = None) -> ClassScores:
    """The gradebook's scores of ``assignments`` (default: every graded one of the plan)."""
    from nbgrader.api import Gradebook, MissingEntry  # imported here: nbgrader takes a second

    assignments = list(assignments or [])
    path = gradebook_path(course)
    if not path.is_file():
        raise ExportError(f"{path}: no gradebook yet; grade submissions first (course grade)")
    unknown = [name for name in assignments or [] if name not in course.assignments()]
    if unknown:
        known = ", ".join(course.assignments())
        raise ExportError(f"{', '.join(unknown)}: not an assignment of {course.id} ({known})")
    roster = load_roster(course)
    with Gradebook(gradebook_url(course), course_id=course.id) as gradebook:
        in_gradebook = {row.name: row for row in gradebook.assignments}
        wanted = assignments or [name for name in course.assignments() if name in in_gradebook]
        missing = [name for name in wanted if name not in in_gradebook]
        if missing:
            raise ExportError(f"{', '.join(missing)}: not in the gradebook yet (course grade)")
        if not wanted:
            raise ExportError(f"{path}: no assignment of {course.id} is graded yet (course grade)")
        result = ClassScores(
            [_assignment(in_gradebook[name]) for name in wanted],
            _learners(roster, gradebook.students),
        )
        for assignment in result.assignments:
            rule = course.late_penalty_for(assignment.name)
            for learner in result.learners:
                try:
                    submission = gradebook.find_submission(assignment.name, learner.id)
                except MissingEntry:
                    continue
                score = _score(submission, learner.id, assignment)
                if rule is not None:
                    deadline = due(course, roster.find(learner.id), assignment.name)
                    penalty = late_penalty(rule, score, deadline)
                    score = Score(**{**score.__dict__, "penalty": penalty})
                result.penalized += score.penalty > 0
                result.scores[(learner.id, assignment.name)] = score
    return result


def _assignment(row: Any) -> Assignment:
    questions = tuple(
        Question(cell.name, float(cell.max_score), float(cell.max_score))
        for notebook in row.notebooks
        for cell in notebook.grade_cells
    )
    return Assignment(row.name, row.duedate, float(row.max_score or 0.0), questions)


def _score(submission: Any, learner: str, assignment: Assignment) -> Score:
    questions = tuple(
        Question(grade.name, float(grade.score or 0.0), float(grade.max_score or 0.0))
        for notebook in submission.notebooks
        for grade in notebook.grades
    )
    return Score(
        learner,
        assignment.name,
        submission.timestamp,
        float(submission.score or 0.0),
        float(submission.late_submission_penalty or 0.0),
        assignment.max_score,
        questions,
    )


def _learners(roster: Roster, students: list[Any]) -> list[Learner]:
    """The roster's learners, then gradebook students it does not know (named as there)."""
    found = list(roster)
    for student in sorted(students, key=lambda s: s.id):
        if student.id not in roster:
            found.append(
                Learner(
                    student.id,
                    student.first_name or "",
                    student.last_name or "",
                    student.email or "",
                    lms_id=student.lms_user_id or "",
                )
            )
    return found
