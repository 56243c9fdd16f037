# ruff: noqa: E501  (notebook sources are test data, kept one per line)
"""Build a real, small nbgrader course on disk: a source notebook, its release, submissions.

Shared by the grading tests and ``benchmarks/grade.py``. Everything goes
through nbgrader's own API (``generate_assignment``, ``autograde``), so the
tests compare the kit with the real thing, not with a re-implementation.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PLAN = """\
id: testcourse
title: Grading test course
timezone: Europe/Berlin
model: flipped-classroom
instructors: [ada]
modules:
  - id: m1
    title: Foundations
    exercise:
      assignment: {assignment}
      due: 2027-01-17T23:59
"""


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0) -> dict:
    meta = {
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "grade_id": grade_id,
        "schema_version": 3,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata=_meta(grade_id, grade=False, solution=True, locked=False))


def test_cell(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    return new_code_cell(
        source, metadata=_meta(grade_id, grade=True, solution=False, locked=True, points=points)
    )


def manual(grade_id: str, points: float) -> nbformat.NotebookNode:
    cell = new_markdown_cell(
        "YOUR ANSWER HERE",
        metadata=_meta(grade_id, grade=True, solution=True, locked=False, points=points),
    )
    return cell


def source_notebook() -> nbformat.NotebookNode:
    """A small ps1: functions on lists, a data file, visible and hidden tests, partial credit."""
    cells = [
        new_markdown_cell(
            "# Problem set 1", metadata=_meta("intro", grade=False, solution=False, locked=True)
        ),
        solution(
            "squares",
            "def squares(xs):\n    ### BEGIN SOLUTION\n    return [x * x for x in xs]\n    ### END SOLUTION",
        ),
        test_cell(
            "test_squares",
            "assert squares([1, 2]) == [1, 4]\n### BEGIN HIDDEN TESTS\nassert squares([]) == []\nassert squares([-3]) == [9]\n### END HIDDEN TESTS",
            2,
        ),
        solution(
            "mean_temp",
            "import pandas as pd\n\ndef mean_temp(path):\n    ### BEGIN SOLUTION\n    return float(pd.read_csv(path)['temp'].mean())\n    ### END SOLUTION",
        ),
        test_cell("test_mean_temp", "assert abs(mean_temp('temps.csv') - 12.5) < 1e-9", 3),
        solution(
            "count_even",
            "def count_even(xs):\n    ### BEGIN SOLUTION\n    return sum(1 for x in xs if x % 2 == 0)\n    ### END SOLUTION",
        ),
        test_cell(
            "test_count_even",
            "cases = [([1, 2, 4], 2), ([], 0), ([3], 0), ([2, 2, 2, 5], 3)]\n### BEGIN HIDDEN TESTS\ncases.append(([0, -2], 2))\n### END HIDDEN TESTS\nsum(count_even(xs) == n for xs, n in cases) / len(cases) * 4",
            4,
        ),
        manual("explain", 2),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def make_course(root: Path, assignment: str = "ps1") -> Path:
    """A course folder with a plan, a source assignment and its nbgrader release."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(PLAN.format(assignment=assignment))
    source = root / "exercises" / assignment
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{assignment}.ipynb")
    (source / "temps.csv").write_text("day,temp\n1,10\n2,15\n")
    with venv_on_path():
        from nbgrader.apps import NbGraderAPI

        api = NbGraderAPI(config=config_of(root))
        result = api.generate_assignment(assignment, force=True)
    assert result["success"], result["log"]
    return root


def config_of(root: Path):
    from course.layout import nbgrader_config
    from course.plan import load_course

    return nbgrader_config(load_course(root))


def released(root: Path, assignment: str = "ps1") -> nbformat.NotebookNode:
    return nbformat.read(
        root / "var" / "release" / assignment / f"{assignment}.ipynb", as_version=4
    )


def submit(
    root: Path,
    student: str,
    answers: dict[str, str],
    assignment: str = "ps1",
    *,
    edit=None,
    raw: str | None = None,
    timestamp: str = "2027-01-15 10:00:00",
) -> Path:
    """Write ``submitted/<student>/<assignment>/`` from the release with ``answers`` by grade id."""
    folder = root / "var" / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text(timestamp)
    target = folder / f"{assignment}.ipynb"
    if raw is not None:
        target.write_text(raw)
        return folder
    nb = released(root, assignment)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    if edit is not None:
        edit(nb)
    nbformat.write(nb, target)
    return folder


CORRECT = {
    "squares": "def squares(xs):\n    return [x * x for x in xs]",
    "mean_temp": "import pandas as pd\n\ndef mean_temp(path):\n    return float(pd.read_csv(path)['temp'].mean())",
    "count_even": "def count_even(xs):\n    return sum(1 for x in xs if x % 2 == 0)",
    "explain": "Because lists are mutable.",
}


@contextlib.contextmanager
def venv_on_path() -> Iterator[None]:
    """nbgrader calls ``alembic`` from PATH; the venv may not be activated."""
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + saved
    try:
        yield
    finally:
        os.environ["PATH"] = saved


def copy_course(root: Path, target: Path) -> Path:
    shutil.copytree(root, target)
    return target


def nbgrader_autograde(root: Path, assignment: str = "ps1", timeout: int | None = None) -> None:
    """Run the real ``nbgrader autograde`` (the converter nbgrader's CLI runs) on every submission."""
    from nbgrader.apps import NbGraderAPI

    config = config_of(root)
    if timeout is not None:
        config.Execute.timeout = timeout
    with venv_on_path():
        api = NbGraderAPI(config=config)
        for student in sorted(os.listdir(root / "var" / "submitted")):
            api.autograde(assignment, student, force=True)


def auto_scores(root: Path, assignment: str = "ps1") -> dict[tuple[str, str, str], float | None]:
    """Every grade cell's auto score in the gradebook: (student, notebook, grade id) -> score."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'var' / 'gradebook.db'}", "testcourse") as gb:
        for submission in gb.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(submission.student_id, notebook.name, grade.name)] = grade.auto_score
    return scores
