"""Outputs stored in the course's own notebooks: what counts, clearing them, keeping them out.

JupyterLab saves a notebook with the outputs of the cells that ran, and the course's
notebooks (lessons, apps, group templates, exercise sources) are tracked sources:
outputs in them bloat every diff, ship one run's results to every clone and fail
``course check``. ``clear_stored_outputs`` clears them in place (``course check
--clear-outputs``); ``clear_outputs_of_sources``, the course server's pre-save hook,
keeps them out of those files in the first place: a notebook open in JupyterLab
keeps its outputs on screen, and the file on disk gets none.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat

from course.errors import CourseError
from course.layout import tracked_notebooks
from course.plan import Course, load_course
from course.plan.loader import PLAN_FILE

__all__ = ["clear_outputs", "clear_outputs_of_sources", "clear_stored_outputs", "stored_outputs"]


def stored_outputs(notebook: dict[str, Any]) -> list[int]:
    """Numbers (from 1) of the code cells that hold outputs or an execution count."""
    return [
        number
        for number, cell in enumerate(notebook.get("cells", []), start=1)
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def clear_outputs(notebook: dict[str, Any]) -> int:
    """Empty the outputs and execution count of every code cell; returns how many changed."""
    cleared = stored_outputs(notebook)
    for number in cleared:
        cell = notebook["cells"][number - 1]
        cell["outputs"], cell["execution_count"] = [], None
    return len(cleared)


def clear_stored_outputs(course: Course) -> dict[str, int]:
    """Clear the outputs of every notebook of the course that has some: cells cleared, by file.

    Only files with outputs are rewritten (by nbformat, as JupyterLab writes them).
    An unreadable notebook is left alone: ``course check`` reports it.
    """
    cleared = {}
    for label, path in tracked_notebooks(course).items():
        try:
            notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        except (OSError, ValueError):
            continue
        count = clear_outputs(notebook)
        if count:
            nbformat.write(notebook, path)
            cleared[label] = count
    return cleared


def clear_outputs_of_sources(
    model: dict[str, Any], path: str, contents_manager: Any, **_: Any
) -> None:
    """Jupyter's pre-save hook (``ContentsManager.pre_save_hook``) for the course server.

    A notebook that the plan of the course at the server's root names (see
    ``course.layout.tracked_notebooks``) is saved without outputs; every other
    file, a learner's copy or a group's notebook included, is saved as it is.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if path.strip("/") in _sources_at(Path(contents_manager.root_dir)):
        clear_outputs(model["content"])


def _sources_at(root: Path) -> frozenset[str]:
    """The tracked notebooks of the course at ``root``, reread when course.yml changes."""
    try:
        changed = (root / PLAN_FILE).stat().st_mtime_ns
    except OSError:
        return frozenset()
    return _sources(root, changed)


@lru_cache(maxsize=4)
def _sources(root: Path, plan_changed: int) -> frozenset[str]:
    try:
        return frozenset(tracked_notebooks(load_course(root)))
    except CourseError:
        return frozenset()  # an invalid plan: course check reports it
