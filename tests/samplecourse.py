"""The repository's sample course, copied: tests and benchmarks never write into the checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def copy_sample_course(target: Path) -> Path:
    """Plan, notebooks and exercises into the new folder ``target``, without generated data."""
    target.mkdir(parents=True)
    for name in ("course.yml", "notebooks", "exercises"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".ipynb_*"))
        else:
            shutil.copy2(source, target / name)
    return target
