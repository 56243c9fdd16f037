"""Fixtures for the class record: the sample course, loaded from a fresh copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.plan import Course, load_course


@pytest.fixture
def course(sample_course: Path) -> Course:
    return load_course(sample_course)
