"""Fixtures shared by every test package: small courses copied into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sample import copy_sample_course

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
    return copy_sample_course(tmp_path / "sample")
