"""Grading: nbgrader's model and scores, on fast, sandboxed, resumable execution.

``grade(course, "ps1")`` autogrades every submission of ps1 into nbgrader's
gradebook and ``autograded/`` folder, exactly as ``nbgrader autograde`` would
score them, so formgrader, ``generate_feedback`` and ``export`` work unchanged.

The names are loaded lazily: the kernel fork server imports
``course.grading.forkserver`` and must not pay for nbgrader, nbformat and
jsonschema (seconds of imports) before it forks every kernel.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from course.grading.api import grade
    from course.grading.engine import grade_config
    from course.grading.report import (
        GradeReport,
        GradingError,
        Options,
        Progress,
        SubmissionResult,
    )
    from course.grading.sandbox import Limits

_WHERE = {
    "grade": "course.grading.api",
    "GradeReport": "course.grading.report",
    "GradingError": "course.grading.report",
    "Options": "course.grading.report",
    "Progress": "course.grading.report",
    "SubmissionResult": "course.grading.report",
    "grade_config": "course.grading.engine",
    "Limits": "course.grading.sandbox",
}

__all__ = [
    "GradeReport",
    "GradingError",
    "Limits",
    "Options",
    "Progress",
    "SubmissionResult",
    "grade",
    "grade_config",
]


def _defer_rfc3987_syntax() -> None:
    """Build ``rfc3987_syntax``'s Lark grammar only if an ``iri`` format is ever checked.

    ``import jsonschema`` (through nbformat and nbgrader) imports it to register
    the ``iri`` format checker, and that import compiles a grammar: 0.5 s quiet,
    several seconds on a loaded machine, paid by every ``course grade``. Neither
    nbformat (Draft 4, no format checker) nor nbgrader checks formats; a stub with
    the same function loads the real module on first call, so behaviour is unchanged.
    """
    if "rfc3987_syntax" in sys.modules or "jsonschema" in sys.modules:
        return
    if importlib.util.find_spec("rfc3987_syntax") is None:
        return
    stub = types.ModuleType("rfc3987_syntax")

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get("rfc3987_syntax") is stub:
            del sys.modules["rfc3987_syntax"]
        real = importlib.import_module("rfc3987_syntax")
        return real.is_valid_syntax(*args, **kwargs)

    stub.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules["rfc3987_syntax"] = stub


_defer_rfc3987_syntax()


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'course.grading' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
