"""Fixtures shared by every test package: small courses copied into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "plan" / "files" / "mini"


@pytest.fixture
def mini_course(tmp_path: Path) -> Path:
    """A valid two-module course with tiny notebooks, safe to edit in place."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def sample_course(tmp_path: Path) -> Path:
    """A copy of the repository's sample course, so tests never write into the checkout."""
    target = tmp_path / "sample"
    target.mkdir()
    for name in ("course.yml", "notebooks", "exercises"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, target / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
            )
        else:
            shutil.copy2(source, target / name)
    return target
