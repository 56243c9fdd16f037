"""The repository's sample course, which the kit's own tests run on (always as a copy)."""

from __future__ import annotations

from pathlib import Path

from course.testing import copy_course

REPO = Path(__file__).resolve().parent.parent


def copy_sample_course(target: Path) -> Path:
    """The sample course's plan, notebooks and exercises in the new folder ``target``."""
    return copy_course(REPO, target)
