"""A copy of the sample course with a roster, and helpers that make submissions as sources do."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from course.layout import submission_folder
from course.plan import Course
from course.record.roster import Learner, Roster, save_roster

# ps1 is due 2027-01-17T23:59 Europe/Berlin, 22:59 UTC; grace has two more days
ROSTER = [
    Learner("ada", "Ada", "Lovelace", "ada@example.org", lms_id="1001", section="A"),
    Learner(
        "grace",
        "Grace",
        "Hopper",
        "grace@example.org",
        lms_id="1002",
        section="B",
        extensions={"ps1": 2 * 24 * 60},
    ),
    Learner("jorg", "Jörg", "Müller", "joerg@example.org", lms_id="1003", section="A"),
    Learner("alan", "Alan", "Turing", hub_user="aturing", section="B"),
    Learner("sam1", "Sam", "Lee", lms_id="1005"),
    Learner("sam2", "Sam", "Lee", lms_id="1006"),
]


@pytest.fixture
def course(course_copy: Course) -> Course:
    """The sample course (ps1 has one notebook, ps1.ipynb) with the roster above."""
    save_roster(course_copy, Roster(ROSTER))
    return course_copy


def notebook(text: str) -> bytes:
    """A valid notebook whose one cell holds ``text`` (so two learners' files differ)."""
    return nbformat.writes(nbformat.v4.new_notebook(cells=[new_code_cell(text)])).encode()


def make_zip(path: Path, files: dict[str, tuple[bytes, tuple[int, ...]]]) -> Path:
    """A zip of ``name -> (bytes, (y, m, d, H, M, S))``, times as an LMS writes them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (data, when) in files.items():
            info = zipfile.ZipInfo(name, date_time=when)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def submitted(course: Course, learner: str, name: str = "ps1.ipynb") -> Path:
    return submission_folder(course, learner, "ps1") / name


def stamp(course: Course, learner: str) -> datetime:
    from nbgrader.utils import parse_utc

    text = (submission_folder(course, learner, "ps1") / "timestamp.txt").read_text()
    return parse_utc(text.strip())
