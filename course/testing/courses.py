"""Copies of a course for tests: a test never writes into the course's own checkout."""

from __future__ import annotations

from pathlib import Path

from course.layout import copy_course_files
from course.plan import load_course


def copy_course(source: Path, target: Path) -> Path:
    """The course's own files (``course.layout.course_files``) into ``target``.

    Only what makes the course is copied (for the kit's own repository: course.yml,
    nbgrader_config.py, notebooks/ and exercises/, not the package or its tests), and
    never the data folder, so the copy starts with no generated or learner data.
    """
    return copy_course_files(load_course(source), target)
