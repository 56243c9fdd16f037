"""``course export``: grades as nbgrader's long CSV, a wide CSV, and Canvas and Moodle imports.

    written = export(course)                                  # every format, var/exports/
    export(course, formats=["canvas"], columns={"ps1": "Problem set 1 (4711)"})

Scores come from nbgrader's gradebook, learners from the roster (LMS ids, names,
sections), late penalties from the plan (``late_penalty`` in course.yml).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from course.grading.export.files import (
    MOODLE_IDS,
    Written,
    canvas_csv,
    long_csv,
    moodle_csv,
    wide_csv,
)
from course.grading.export.scores import ClassScores, ExportError, Score, late_penalty, read_scores
from course.layout import exports_folder
from course.plan import Course

FORMATS = ("long", "wide", "canvas", "moodle")
FILE_NAMES = {
    "long": "grades-long.csv",
    "wide": "grades-wide.csv",
    "canvas": "canvas-grades.csv",
    "moodle": "moodle-grades.csv",
}

__all__ = [
    "FILE_NAMES",
    "FORMATS",
    "MOODLE_IDS",
    "ClassScores",
    "ExportError",
    "Score",
    "Written",
    "export",
    "late_penalty",
    "read_scores",
]


def export(
    course: Course,
    folder: Path | None = None,
    *,
    formats: Sequence[str] = FORMATS,
    assignments: Sequence[str] = (),
    questions: bool = False,
    columns: dict[str, str] | None = None,
    moodle_id: str = "idnumber",
) -> list[Written]:
    """Write the grade files of ``formats`` into ``folder`` (default: ``var/exports/``).

    ``columns`` names an assignment's column in the LMS files (Canvas: ``"Problem set
    1 (4711)"`` to update assignment 4711); ``moodle_id`` is the roster field Moodle
    matches learners on (``idnumber``: the LMS id, ``email`` or ``username``: the id).
    """
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise ExportError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if moodle_id not in MOODLE_IDS:
        raise ExportError(f"--moodle-id {moodle_id!r}: choose from {', '.join(MOODLE_IDS)}")
    columns = dict(columns or {})
    stray = [name for name in columns if name not in course.assignments()]
    if stray:
        raise ExportError(f"a column is named for {', '.join(stray)}, not an assignment")
    scores = read_scores(course, list(assignments))
    folder = folder or exports_folder(course)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in formats:
        left_out: list[str] = []
        if name == "long":
            text, rows = long_csv(scores)
        elif name == "wide":
            text, rows = wide_csv(scores, questions=questions)
        elif name == "canvas":
            text, rows, left_out = canvas_csv(scores, columns)
        else:
            text, rows, left_out = moodle_csv(scores, columns, moodle_id)
        path = folder / FILE_NAMES[name]
        _write(path, text)
        written.append(Written(name, path, rows, left_out))
    return written


def _write(path: Path, text: str) -> None:
    """Atomically, readable by the owner only: grades are personal data."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
