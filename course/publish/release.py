"""Student versions of the exercises, made by nbgrader's own converter.

The kit does not reimplement nbgrader's release: it runs ``GenerateAssignment``
with the configuration derived from course.yml, so solutions are stripped,
hidden tests removed, checksums computed and cells saved to the gradebook
exactly as ``nbgrader generate_assignment`` would. What the kit adds is the
part nbgrader leaves to the person at the terminal: every failure becomes a
``ReleaseError`` naming the assignment and the notebook, and the gradebook is
created without the ``alembic`` command nbgrader expects on PATH.

Everything is written under the course's data folder (``var/release``,
``var/gradebook.db``); the working tree stays clean.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.nbgraderformat import ValidationError as MetadataError
from nbgrader.nbgraderformat.common import SchemaMismatchError
from nbgrader.preprocessors import SaveCells
from traitlets.config import Config

from course.errors import CourseError
from course.layout import (
    SOURCE_DIRECTORY,
    ensure_gradebook,
    gradebook_url,
    nbgrader_config,
    release_folder,
)
from course.plan import Course

__all__ = [
    "ReleaseError",
    "read_source",
    "release",
    "source_notebooks",
    "student_version",
]

log = logging.getLogger(__name__)


class ReleaseError(CourseError):
    """nbgrader could not make the student version of an exercise.

    Carries the assignment and, when one notebook is to blame, its path relative
    to the course folder, so the CLI and ``course check`` can point at it.
    """

    def __init__(self, assignment: str, message: str, notebook: str | None = None) -> None:
        self.assignment = assignment
        self.notebook = notebook
        where = f"{notebook}" if notebook else f"assignment {assignment!r}"
        super().__init__(f"{where}: {message}")


def source_notebooks(course: Course, assignment: str) -> list[Path]:
    """The source notebooks of ``assignment``, checked to exist so callers get a clear error."""
    known = course.assignments()
    if assignment not in known:
        raise ReleaseError(
            assignment,
            f"not an exercise of this course (course.yml lists: {', '.join(known) or 'none'})",
        )
    folder = course.root / SOURCE_DIRECTORY / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise ReleaseError(assignment, f"no notebooks in {SOURCE_DIRECTORY}/{assignment}/")
    return notebooks


def release(course: Course, assignment: str | None = None) -> list[Path]:
    """Generate the student version of one exercise, or of every exercise in the plan.

    Sources are the truth, so an existing release is always regenerated. Each
    assignment and its notebooks are registered in the gradebook, which
    ``course grade`` and nbgrader's formgrader need, with its due date from
    course.yml (nbgrader computes lateness from it). Returns the released
    notebooks. Raises ``ReleaseError`` naming the assignment and notebook at fault;
    nothing half-made is left behind (nbgrader removes a failed release folder).
    """
    assignments = [assignment] if assignment is not None else course.assignments()
    sources = {name: source_notebooks(course, name) for name in assignments}
    for name, notebooks in sources.items():
        for path in notebooks:
            read_source(course, name, path)  # fail early, with nbgrader's exact complaint
    ensure_gradebook(course)
    released: list[Path] = []
    for name in assignments:
        _generate(course, name)
        _record_due_date(course, name)
        released += sorted(release_folder(course, name).glob("*.ipynb"))
    return released


def _record_due_date(course: Course, assignment: str) -> None:
    """Copy the plan's due date into the gradebook, where nbgrader computes late submissions."""
    due = next(
        m.exercise.due for m in course.modules if m.exercise and m.exercise.assignment == assignment
    )
    with Gradebook(gradebook_url(course), course.id) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=course.localize(due))


def read_source(course: Course, assignment: str, path: Path) -> NotebookNode:
    """Read a source notebook and validate its nbgrader metadata (types, points, unique ids).

    nbgrader's own check only says "the nbgrader metadata may be corrupted" and
    logs the reason; this surfaces the reason (e.g. ``Duplicate grade id: q1``).
    """
    shown = _shown(course, path)
    try:
        nb: NotebookNode = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception as error:  # nbformat raises several unrelated types for unreadable files
        raise ReleaseError(assignment, f"not a readable notebook: {error}", shown) from None
    try:
        MetadataValidator().validate_nb(nb)
    except (MetadataError, SchemaMismatchError) as error:
        raise ReleaseError(assignment, _describe(error), shown) from None
    return nb


def student_version(course: Course, assignment: str, path: Path) -> NotebookNode:
    """The student version of one source notebook, made in memory by nbgrader's release pipeline.

    The same preprocessors as ``GenerateAssignment`` (and the same configuration),
    except the one that writes to the gradebook, so ``course check`` can run the
    learner's starting point without touching the gradebook or ``var/release``.
    """
    read_source(course, assignment, path)
    config = nbgrader_config(course)
    exporter = NotebookExporter(config=_no_default_preprocessors(config))
    for preprocessor in GenerateAssignment(config=config).preprocessors:
        if preprocessor is not SaveCells:
            exporter.register_preprocessor(preprocessor(config=config), enabled=True)
    resources: dict[str, Any] = {
        "unique_key": path.stem,
        "nbgrader": {"assignment": assignment, "notebook": path.stem, "student": "."},
    }
    try:
        output, _ = exporter.from_notebook_node(
            nbformat.read(path, as_version=nbformat.NO_CONVERT),
            resources={**resources, "metadata": {"path": str(path.parent)}},
        )
    except (RuntimeError, ValueError, MetadataError) as error:
        raise ReleaseError(assignment, _describe(error), _shown(course, path)) from None
    released: NotebookNode = nbformat.reads(output, as_version=nbformat.NO_CONVERT)
    return released


class _CapturingHandler(logging.Handler):
    """Keeps nbgrader's log lines so a failure can quote them instead of printing tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _GenerateAssignment(GenerateAssignment):  # type: ignore[misc]  # nbgrader is untyped
    """nbgrader's converter, remembering which notebook failed and why.

    nbgrader catches every per-assignment exception, logs its traceback and
    raises a generic "see the above traceback"; this keeps the original.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failure: tuple[str, BaseException] | None = None

    def convert_single_notebook(self, notebook_filename: str) -> None:
        try:
            super().convert_single_notebook(notebook_filename)
        except Exception as error:
            self.failure = (notebook_filename, error)
            raise


def _generate(course: Course, assignment: str) -> None:
    config = nbgrader_config(course)
    handler = _CapturingHandler()
    nblog = logging.Logger(f"{__name__}.nbgrader")  # private: nbgrader's tracebacks stay here
    nblog.addHandler(handler)
    coursedir = CourseDirectory(config=config, log=nblog)
    coursedir.assignment_id = assignment
    converter = _GenerateAssignment(coursedir=coursedir, config=config, log=nblog)
    converter.force = True
    converter.create_assignment = True
    try:
        converter.start()
    except Exception as error:  # nbgrader wraps everything in NbGraderException or worse
        if converter.failure is not None:
            notebook, cause = converter.failure
            raise ReleaseError(
                assignment, _describe(cause), _shown(course, Path(notebook))
            ) from error
        raise ReleaseError(assignment, _last_error(handler.records) or str(error)) from error
    for record in handler.records:
        if record.levelno >= logging.WARNING:  # e.g. notebooks removed from the gradebook
            log.info("%s: %s", assignment, record.getMessage())
    if not release_folder(course, assignment).is_dir():
        raise ReleaseError(
            assignment, "nbgrader produced no release folder: " + _last_error(handler.records)
        )


def _describe(error: BaseException) -> str:
    # jsonschema's str() appends the whole schema; its .message is the sentence that matters
    message = (getattr(error, "message", None) or str(error)).strip() or type(error).__name__
    if isinstance(error, MetadataError | SchemaMismatchError):
        return f"invalid nbgrader metadata: {message}"
    return message


def _last_error(records: Sequence[logging.LogRecord]) -> str:
    """The most telling error nbgrader logged: its own explanation, else a traceback's last line."""
    for record in reversed(records):
        message = record.getMessage().strip()
        if record.levelno < logging.ERROR or not message:
            continue
        if "Traceback" in message:  # its last line is "module.SomeError: what happened"
            return re.sub(r"^[\w.]+: ", "", message.splitlines()[-1].strip())
        if not message.startswith(_GENERIC_ERRORS):
            return message
    return ""


_GENERIC_ERRORS = ("There was an error processing", "Please see")


def _no_default_preprocessors(config: Config) -> Config:
    merged = Config(config)
    merged.Exporter.default_preprocessors = []
    return merged


def _shown(course: Course, path: Path) -> str:
    path = Path(path)
    if not path.is_absolute():
        path = course.root / path
    try:
        return str(path.resolve().relative_to(course.root.resolve()))
    except ValueError:
        return str(path)
