"""``grade``: the one function the CLI, the tests and notebooks call."""

from __future__ import annotations

from collections.abc import Iterable

from course.grading.engine import GradeReport, GradingError, Options, Progress, grade_config
from course.grading.nbgrader_config import nbgrader_config
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
