"""Why tests failed: the error type each graded test cell raised, read from ``autograded/``.

nbgrader's gradebook keeps scores, not reasons; the graded notebooks keep the
outputs, tracebacks included. Only the exception's class name is kept (never its
message or traceback, which may quote hidden tests). Read once, with the gradebook,
by ``load_class``; ``course.record.items`` counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.layout import autograded_folder
from course.plan import Course


@dataclass(frozen=True)
class TestError:
    """The error type a learner's graded test cell raised (e.g. ``AssertionError``)."""

    __test__ = False  # not a pytest test class, whatever its name
    learner: str
    assignment: str
    test: str
    error: str


def read_test_errors(course: Course) -> tuple[TestError, ...]:
    """Every error raised by an autograded test cell of a planned assignment, by learner."""
    root = autograded_folder(course, "_", "_").parent.parent
    found: list[TestError] = []
    for assignment in course.assignments():
        for path in sorted(root.glob(f"*/{assignment}/*.ipynb")):
            learner = path.parent.parent.name
            found += [
                TestError(learner, assignment, test, error) for test, error in _raised(path).items()
            ]
    return tuple(found)


def _raised(path: Path) -> dict[str, str]:
    """Test cell grade id → the class name of its first error; unreadable notebooks: none."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    raised = {}
    for cell in cells:
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if not grading.get("grade") or grading.get("solution"):
            continue
        error = _first_error(cell.get("outputs", []))
        if error:
            raised[str(grading.get("grade_id", ""))] = error
    return raised


def _first_error(outputs: list[Any]) -> str | None:
    for output in outputs:
        if isinstance(output, dict) and output.get("output_type") == "error":
            return str(output.get("ename") or "Error")
    return None
