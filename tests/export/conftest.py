"""A graded class of the sample course: submissions collected from a folder, graded for real.

Built once per module (grading runs real kernels): ps1 is released by nbgrader,
five learners' notebooks are collected with chosen times, ``course grade`` scores
them into nbgrader's gradebook. Tests only read it; each export writes elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from course.grading import grade
from course.grading.collect import collect
from course.layout import release_folder
from course.plan import Course, load_course
from course.publish.release import release
from course.record.roster import Learner, Roster, save_roster
from course.record.students import sync_gradebook
from course.testing import copy_course

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
    Learner("alan", "Alan", "Turing", "alan@example.org", section="B"),  # no LMS id
    Learner("sam", "Sam", "Lee, Jr.", "sam@example.org", lms_id="1005", section="A"),
    Learner("nobody", "No", "Submission", "no@example.org", lms_id="1006"),
]
# ps1 is due 2027-01-17 22:59 UTC (23:59 in Berlin)
SUBMITTED = {
    "ada": ("partial", datetime(2027, 1, 16, 12, 0, tzinfo=UTC)),
    "grace": ("full", datetime(2027, 1, 19, 10, 0, tzinfo=UTC)),  # within her extension
    "jorg": ("full", datetime(2027, 1, 19, 0, 59, tzinfo=UTC)),  # 26 hours late
    "alan": ("full", datetime(2027, 1, 27, 22, 0, tzinfo=UTC)),  # ten days late
    "sam": ("release", datetime(2027, 1, 17, 9, 0, tzinfo=UTC)),
}
PENALTY = "late_penalty: {deduct: 10%, per: day, cap: 50%}\n"


@dataclass(frozen=True)
class GradedClass:
    course: Course  # no late penalty in its plan
    penalized: Course  # the same course and data, with PENALTY in its plan


def _versions(course: Course) -> dict[str, str]:
    source = nbformat.read(course.exercise_folder("ps1") / "ps1.ipynb", as_version=4)
    student = nbformat.read(release_folder(course, "ps1") / "ps1.ipynb", as_version=4)
    partial = nbformat.from_dict(student)
    answers = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in source.cells}
    for cell in partial.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "average-speed":
            cell.source = answers["average-speed"]
    return {
        "full": nbformat.writes(source),
        "partial": nbformat.writes(partial),
        "release": nbformat.writes(student),
    }


@pytest.fixture(scope="module")
def graded_class(course_root: Path, tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    root = copy_course(course_root, tmp_path_factory.mktemp("export") / "course")
    course = load_course(root)
    release(course, "ps1")
    roster = Roster(ROSTER)
    save_roster(course, roster)
    sync_gradebook(course, roster)
    versions = _versions(course)
    handed_in = root.parent / "handed-in"
    for learner, (version, moment) in SUBMITTED.items():
        (handed_in / learner).mkdir(parents=True)
        path = handed_in / learner / "ps1.ipynb"
        path.write_text(versions[version], encoding="utf-8")
        os.utime(path, (moment.timestamp(), moment.timestamp()))
    assert len(collect(course, "ps1", handed_in).taken) == len(SUBMITTED)
    report = grade(course, "ps1")
    assert {result.status for result in report.results} == {"graded"}
    plan = root / "course.yml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("modules:\n", PENALTY + "modules:\n", 1), encoding="utf-8")
    return GradedClass(course, load_course(root))
