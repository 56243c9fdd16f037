"""Grading: nbgrader's model and scores, on fast, sandboxed, resumable execution.

``grade(course, "ps1")`` autogrades every submission of ps1 into nbgrader's
gradebook and ``autograded/`` folder, exactly as ``nbgrader autograde`` would
score them, so formgrader, ``generate_feedback`` and ``export`` work unchanged.

The names are loaded lazily: the kernel fork server imports
``course.grading.forked.server`` and must not pay for nbgrader, nbformat and
jsonschema (seconds of imports) before it forks every kernel. Importing this
package changes nothing else in the process: the stand-ins that speed grading
up (``course.grading.stand_ins``) are installed only where grading runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from course.grading.api import grade
    from course.grading.engine import grade_config
    from course.grading.report import (
        GradeReport,
        GradingError,
        Options,
        ProgressReporter,
        SubmissionResult,
    )
    from course.sandbox import Limits

_WHERE = {
    "grade": "course.grading.api",
    "GradeReport": "course.grading.report",
    "GradingError": "course.grading.report",
    "Options": "course.grading.report",
    "ProgressReporter": "course.grading.report",
    "SubmissionResult": "course.grading.report",
    "grade_config": "course.grading.engine",
    "Limits": "course.sandbox",
}

__all__ = [
    "GradeReport",
    "GradingError",
    "Limits",
    "Options",
    "ProgressReporter",
    "SubmissionResult",
    "grade",
    "grade_config",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'course.grading' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
