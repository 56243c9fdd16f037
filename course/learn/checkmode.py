"""Check mode: what ``course check`` turns on in the kernels that run the lesson notebooks.

In check mode, defining an exercise also proves it: ``exercise(...)`` runs the
reference solution in a copy of the learner's namespace and raises
``ExerciseError`` unless every test passes, so a broken exercise fails
``course check`` at the cell that defines it. Outside check mode (a learner's
kernel) defining an exercise runs nothing.

The switch is the environment variable ``COURSE_CHECK=1`` (``VARIABLE``), because
it has to reach a kernel process before its first cell runs: ``course check``
starts its kernels with ``check_mode_environment()``; ``check_mode()`` turns it on
for a block in this process and every kernel started inside it (tests, an author
trying an exercise); ``in_check_mode()`` is the one place that reads it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "COURSE_CHECK"
_ON = "1"


def in_check_mode() -> bool:
    """Whether this kernel runs under ``course check`` (read at each call)."""
    return os.environ.get(VARIABLE) == _ON


def check_mode_environment() -> dict[str, str]:
    """The environment entries that start a kernel in check mode."""
    return {VARIABLE: _ON}


@contextmanager
def check_mode() -> Iterator[None]:
    """Check mode for the block: exercises defined in it, or in its kernels, prove themselves."""
    before = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = _ON
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = before
