"""``grade``: the one function the CLI, the tests and notebooks call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading import stand_ins
from course.grading.forked.client import ForkServer
from course.plan import Course

if TYPE_CHECKING:
    from course.grading.report import GradeReport, Options, ProgressReporter

NBGRADER_LAYOUT = "{nbgrader_step}/{student_id}/{assignment_id}"  # CourseDirectory's default


def grade(
    course: Course,
    assignment: str,
    students: Iterable[str] | None = None,
    options: Options | None = None,
    progress: ProgressReporter | None = None,
    *,
    db_url: str | None = None,
) -> GradeReport:
    """Autograde ``assignment`` (all submissions, or ``students``) of ``course``.

    ``db_url``: the gradebook's database (SQLAlchemy URL, e.g. PostgreSQL), if not
    the course's SQLite file. The kernel fork server is launched first, so its
    imports (IPython, the assignment's own) run on the other core while this process imports
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
    config = nbgrader_config(course)
    if db_url:
        config.CourseDirectory.db_url = db_url
    return grade_config(config, assignment, students, options, progress, server)


def grade_nbgrader_course(
    folder: Path,
    assignment: str,
    settings: Mapping[str, object],
    argv: Sequence[str] = (),
    options: Options | None = None,
    progress: ProgressReporter | None = None,
    *,
    students: Iterable[str] | None = None,
) -> GradeReport:
    """``nbgrader autograde ASSIGNMENT`` for the nbgrader course in ``folder``, by the kit's engine.

    ``settings`` and ``argv`` are nbgrader's command-line options (see
    ``course.grading.dropin``); nbgrader's rules apply (``Options.as_nbgrader``).
    """
    from dataclasses import replace

    stand_ins.install()
    from course.grading.dropin import nbgrader_course_config
    from course.grading.report import Options

    config = nbgrader_course_config(folder, settings, argv)
    options = replace(options or Options(), as_nbgrader=True)
    server = None
    if not options.scheduler:
        # where CourseDirectory.format_path puts the source (nbgrader's import is for later:
        # it costs over a second, which the fork server's own start overlaps)
        folders = config.CourseDirectory
        layout = folders.get("directory_structure", NBGRADER_LAYOUT)
        step = folders.get("source_directory", "source")
        source = layout.format(nbgrader_step=step, student_id=".", assignment_id=assignment)
        server = ForkServer(source=Path(folders.root) / source)
        server.launch()
    try:
        from course.grading.engine import grade_config
    except BaseException:
        if server is not None:
            server.stop()
        raise
    return grade_config(config, assignment, students, options, progress, server)
