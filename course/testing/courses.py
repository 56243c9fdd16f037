"""Copies of a course for tests: a test never writes into the course's own checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

from course.plan import load_course
from course.plan.loader import PLAN_FILE
from course.plan.model import EXERCISES_DIR

_GENERATED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


def copy_course(source: Path, target: Path) -> Path:
    """The plan, the exercises and every top-level folder the plan names, into ``target``.

    Only what the plan refers to is copied (for the kit's own repository: course.yml,
    notebooks/ and exercises/, not the package or its tests), and never the data
    folder, so the copy starts with no generated or learner data.
    """
    course = load_course(source)
    target.mkdir(parents=True)
    shutil.copy2(course.root / PLAN_FILE, target / PLAN_FILE)
    for name in sorted(_top_level_folders(course.root, course.referenced_files())):
        shutil.copytree(course.root / name, target / name, ignore=_GENERATED)
    return target


def _top_level_folders(root: Path, paths: list[str]) -> set[str]:
    names = {Path(path).parts[0] for path in paths if len(Path(path).parts) > 1}
    names.add(EXERCISES_DIR)
    return {name for name in names if (root / name).is_dir()}
