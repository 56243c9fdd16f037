"""A small class on a copy of the sample course: ps1 submitted by three learners, graded for real.

* ``blank``: the student version, unchanged (every test fails);
* ``half``: a correct ``average_speed`` only (its tests pass, the rest fail);
* ``full``: every answer from the instructor's solution (every test passes).

Also what the hidden tests say, read from the instructor's source, to look for in outputs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from course.plan import Course, load_course
from course.testing import copy_course

ASSIGNMENT = "ps1"
LEARNERS = ("blank", "half", "full")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _cells(path: Path) -> list[dict[str, object]]:
    cells: list[dict[str, object]] = json.loads(path.read_text())["cells"]
    return cells


def _text(cell: dict[str, object]) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else str(source)


def _grade_id(cell: dict[str, object]) -> str:
    meta = cell.get("metadata") or {}
    assert isinstance(meta, dict)
    return str(meta.get("nbgrader", {}).get("grade_id", ""))


def solutions(source: Path) -> dict[str, str]:
    """The instructor's answer of each solution cell, without nbgrader's markers."""
    answers = {}
    for cell in _cells(source):
        text = _text(cell)
        if "### BEGIN SOLUTION" in text:
            lines = [line for line in text.splitlines() if "### " not in line]
            answers[_grade_id(cell)] = "\n".join(lines)
    return answers


def hidden_lines(source: Path, release: Path) -> list[str]:
    """Every line inside a hidden-test block of the source, stripped, that the student
    version does not also contain (``pass`` or ``else:`` say nothing hidden)."""
    visible = {line.strip() for cell in _cells(release) for line in _text(cell).splitlines()}
    found = []
    for cell in _cells(source):
        inside = False
        for line in _text(cell).splitlines():
            if HIDDEN_BEGIN in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and line.strip() and line.strip() not in visible:
                found.append(line.strip())
    return found


def submit(course: Course, learner: str, answers: dict[str, str]) -> None:
    """The student version with ``answers`` (by grade id) written in, submitted by ``learner``."""
    from course.layout import release_folder, submission_folder

    folder = submission_folder(course, learner, ASSIGNMENT)
    shutil.copytree(release_folder(course, ASSIGNMENT), folder)
    path = folder / f"{ASSIGNMENT}.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if _grade_id(cell) in answers:
            cell["source"] = answers[_grade_id(cell)]
    path.write_text(json.dumps(notebook))


def make_graded_class(root: Path, course_root: Path) -> Course:
    """Copy, build, submit for the three learners, grade with the kit's real grader."""
    from course.grading import grade
    from course.publish import build

    course = load_course(copy_course(course_root, root))
    build(course)
    answers = solutions(course.exercise_folder(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb")
    submit(course, "blank", {})
    submit(course, "half", {"average-speed": answers["average-speed"]})
    submit(course, "full", answers)
    report = grade(course, ASSIGNMENT)
    assert {r.student for r in report.results} == set(LEARNERS)
    return course
