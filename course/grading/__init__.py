"""Grading: nbgrader's model and scores, on fast, sandboxed, resumable execution.

``grade(course, "ps1")`` autogrades every submission of ps1 into nbgrader's
gradebook and ``autograded/`` folder, exactly as ``nbgrader autograde`` would
score them, so formgrader, ``generate_feedback`` and ``export`` work unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from course.grading.engine import (
    GradeReport,
    GradingError,
    Options,
    Progress,
    SubmissionResult,
    grade_config,
)
from course.grading.nbgrader_config import nbgrader_config
from course.grading.sandbox import Limits
from course.plan import Course


def grade(
    course: Course,
    assignment: str,
    students: Iterable[str] | None = None,
    options: Options | None = None,
    progress: Progress | None = None,
) -> GradeReport:
    """Autograde ``assignment`` (all submissions, or ``students``) of ``course``."""
    if assignment not in course.assignments():
        known = ", ".join(course.assignments()) or "none"
        raise GradingError(f"{assignment!r} is not an assignment of the course (known: {known})")
    return grade_config(nbgrader_config(course), assignment, students, options, progress)


__all__ = [
    "GradeReport",
    "GradingError",
    "Limits",
    "Options",
    "Progress",
    "SubmissionResult",
    "grade",
    "grade_config",
    "nbgrader_config",
]
