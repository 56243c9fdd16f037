"""``course check``: everything that must hold before a course goes to learners.

Each area contributes results to one list: the plan, the notebooks it names,
and (from the grading capability) the exercises.
"""

from __future__ import annotations

from pathlib import Path

from course.check.notebooks import run_notebook, run_notebooks
from course.check.result import CheckResult
from course.errors import PlanError
from course.plan import Course, load_course

__all__ = ["CheckResult", "notebooks_of", "run_checks", "run_notebook"]


def run_checks(path: Path | str = ".", *, jobs: int = 2) -> list[CheckResult]:
    """Every check of the course at ``path``; an invalid plan stops before anything runs."""
    try:
        course = load_course(path)
    except PlanError as error:
        return [CheckResult("plan", p.field or p.file, False, str(p)) for p in error.problems]
    results = [CheckResult("plan", "course.yml", True, f"{len(course.modules)} modules valid")]
    results += run_notebooks(notebooks_of(course), jobs=jobs)
    return results


def notebooks_of(course: Course) -> dict[str, Path]:
    """Every notebook the plan names for learners or live sessions, by relative path."""
    found: dict[str, Path] = {}
    for module in course.modules:
        paths = []
        if module.self_paced:
            paths.append(module.self_paced.notebook)
        if module.live:
            paths += [module.live.group_notebook, module.live.present]
        for relative in filter(None, paths):
            found[relative] = course.root / relative
    return found
