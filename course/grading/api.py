"""``grade``: the one function the CLI, the tests and notebooks call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from course.grading import stand_ins
from course.grading.forked.client import ForkServer
from course.plan import Course

if TYPE_CHECKING:
    from course.grading.report import GradeReport, Options, ProgressReporter


def grade(
    course: Course,
    assignment: str,
    students: Iterable[str] | None = None,
    options: Options | None = None,
    progress: ProgressReporter | None = None,
) -> GradeReport:
    """Autograde ``assignment`` (all submissions, or ``students``) of ``course``.

    The kernel fork server is launched first, so its imports (IPython, the
    assignment's own) run on the other core while this process imports
    nbgrader, nbconvert and SQLAlchemy; the stand-ins for what those import and
    grading never uses are installed before (``course.grading.stand_ins``).
    """
    stand_ins.install()
    if assignment not in course.assignments():
        from course.grading.report import GradingError

        known = ", ".join(course.assignments()) or "none"
        raise GradingError(f"{assignment!r} is not an assignment of the course (known: {known})")
    server = None
    if not (options and options.scheduler):
        server = ForkServer(source=course.exercise_folder(assignment))
        server.launch()
    try:
        from course.grading.engine import grade_config
        from course.layout import nbgrader_config
    except BaseException:
        if server is not None:
            server.stop()
        raise
    return grade_config(nbgrader_config(course), assignment, students, options, progress, server)
