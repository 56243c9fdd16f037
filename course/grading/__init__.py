"""Grading: nbgrader's model and scores, on fast, sandboxed, resumable execution.

``grade(course, "ps1")`` autogrades every submission of ps1 into nbgrader's
gradebook and ``autograded/`` folder, exactly as ``nbgrader autograde`` would
score them, so formgrader, ``generate_feedback`` and ``export`` work unchanged.

The names are loaded lazily: the kernel fork server imports
``course.grading.forked.server`` and must not pay for nbgrader, nbformat and
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
    from course.sandbox import Limits

_WHERE = {
    "grade": "course.grading.api",
    "GradeReport": "course.grading.report",
    "GradingError": "course.grading.report",
    "Options": "course.grading.report",
    "Progress": "course.grading.report",
    "SubmissionResult": "course.grading.report",
    "grade_config": "course.grading.engine",
    "Limits": "course.sandbox",
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


# Modules imported along with nbformat and nbgrader for functions grading never
# calls, each costly to import: a stub with the same functions stands in, and
# loads the real module the first time one of them is called.
_DEFERRED = {
    # jsonschema imports it to register its ``iri`` format checker, and the import
    # compiles a Lark grammar (0.5 s quiet, seconds on a loaded machine); neither
    # nbformat (Draft 4, no format checker) nor nbgrader checks formats.
    "rfc3987_syntax": ("is_valid_syntax",),
    # nbgrader.utils imports it to unzip collected archives; it imports setuptools
    # and pkg_resources (0.25 s before the first notebook can be graded).
    "setuptools.archive_util": ("unpack_archive", "unpack_tarfile", "unpack_zipfile"),
}


def _defer(name: str, functions: tuple[str, ...]) -> None:
    """Put a stub of module ``name`` in ``sys.modules`` whose ``functions`` load the real one."""
    top = name.partition(".")[0]
    if name in sys.modules or top in sys.modules or importlib.util.find_spec(top) is None:
        return
    stub = types.ModuleType(name)

    def loader(function: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if sys.modules.get(name) is stub:
                del sys.modules[name]
            return getattr(importlib.import_module(name), function)(*args, **kwargs)

        return call

    for function in functions:
        setattr(stub, function, loader(function))
    sys.modules[name] = stub


for _name, _functions in _DEFERRED.items():
    _defer(_name, _functions)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'course.grading' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
