"""``feedback``: every graded submission of an assignment as one HTML page per notebook.

nbgrader's ``GenerateFeedback`` converter does the work (its folders, its
``GetGrades`` scores from the gradebook, its feedback template, ``timestamp.txt``
and ``submission_secret.txt`` copied for the exchange); the kit adds one
preprocessor, ``RedactHiddenTests``, and a template that extends nbgrader's for
phones and screen readers. The plan decides what learners see of hidden tests
(``exercise.hidden_tests`` in course.yml).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.layout import autograded_folder, ensure_gradebook, nbgrader_config
from course.plan import Course


class FeedbackError(CourseError):
    """Feedback cannot be made: an unknown assignment, nothing graded, nbgrader failed."""


@dataclass(frozen=True)
class Policy:
    """What the pages show of hidden tests: the plan's setting and whether it is past due."""

    setting: str
    reveal: bool


@dataclass
class LearnerFeedback:
    """One learner's pages, and where they were released."""

    learner: str
    pages: list[Path]
    released: list[Path] = field(default_factory=list)


@dataclass
class FeedbackReport:
    assignment: str
    policy: Policy
    learners: list[LearnerFeedback]
    exchange: Path | None = None


def policy_for(course: Course, assignment: str, now: datetime | None = None) -> Policy:
    """The plan's hidden-tests setting for ``assignment``; ``after-due`` reveals once due.

    Due for everyone: the last learner's due date, extensions included (``roster.due``),
    so no learner still working can be handed the hidden tests by one who is done.
    """
    from course.record.roster import due, load_roster

    for module in course.modules:
        exercise = module.exercise
        if exercise and exercise.assignment == assignment:
            moment = course.localize(now or datetime.now(UTC))
            learners = [*load_roster(course)] or [None]
            last = max(due(course, learner, assignment) for learner in learners)
            reveal = exercise.hidden_tests == "after-due" and moment > last
            return Policy(exercise.hidden_tests, reveal)
    known = ", ".join(course.assignments()) or "none"
    raise FeedbackError(f"{assignment!r} is not an assignment of the course (known: {known})")


def graded_learners(course: Course, assignment: str) -> list[str]:
    """Learners with a graded notebook of ``assignment`` under ``autograded/``."""
    root = autograded_folder(course, "_", assignment).parent.parent
    found = sorted(p.parent.parent.name for p in root.glob(f"*/{assignment}/*.ipynb"))
    return sorted(set(found))


def feedback_config(course: Course, policy: Policy) -> Any:
    """nbgrader's configuration for the course, with the hidden-tests policy."""
    config = nbgrader_config(course)
    config.RedactHiddenTests.policy = policy.setting
    config.RedactHiddenTests.reveal = policy.reveal
    return config


def generate(
    course: Course,
    assignment: str,
    learners: list[str] | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, list[Path]]:
    """Write the feedback pages of ``assignment`` (all graded learners, or ``learners``)."""
    policy = policy_for(course, assignment, now)
    graded = graded_learners(course, assignment)
    wanted = graded if learners is None else list(learners)
    missing = sorted(set(wanted) - set(graded))
    if missing or not wanted:
        who = ", ".join(missing) if missing else "anyone"
        raise FeedbackError(
            f"no graded submission of {assignment} for {who}: run `course grade {assignment}` first"
        )
    ensure_gradebook(course)
    config = feedback_config(course, policy)
    for learner in wanted:
        _run_converter(config, assignment, learner)
    folder = Path(str(config.CourseDirectory.root)) / course.data_dir / "feedback"
    return {learner: sorted((folder / learner / assignment).glob("*.html")) for learner in wanted}


def _run_converter(config: Any, assignment: str, learner: str) -> None:
    """nbgrader's converter for one learner; its logged errors become the message."""
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    from course.grading.feedback.converter import CourseFeedback

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = learner
    converter = CourseFeedback(coursedir=coursedir, config=config)
    converter.force = True
    errors = _Collect(logging.ERROR)
    converter.log.addHandler(errors)
    try:
        converter.start()
    except NbGraderException:
        said = "; ".join(errors.lines[-3:]) or "see nbgrader's log"
        raise FeedbackError(f"feedback for {learner} on {assignment} failed: {said}") from None
    finally:
        converter.log.removeHandler(errors)


class _Collect(logging.Handler):
    """The last line of each error nbgrader logs (a traceback's last line is its message)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip().splitlines()
        if text and not text[-1].startswith("Please see"):
            self.lines.append(text[-1])
