"""Synthetic submissions of one of the sample course's exercises, for ``grade.py``.

The course is a copy of this repository's course.yml, exercises and notebooks,
released with the kit (nbgrader's ``GenerateAssignment``). Answers come from the
source itself: a "correct" answer is a solution cell with nbgrader's solution
markers removed, so the benchmark follows the exercise when the exercise changes.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import nbformat

from course.testing import copy_course

REPO = Path(__file__).resolve().parent.parent

BROKEN = "raise RuntimeError('not done yet')"
SLOW = "import time\ntime.sleep(0.5)\n"
KINDS = ("correct", "correct", "partial", "wrong", "erroring", "slow")
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

# A near miss that earns part of a partial-credit test cell, where the exercise has one.
NEAR_MISSES = {
    "ps1": {
        "trip-summary": (
            '"mean_speed": round(sum(speeds) / len(speeds), 1)',
            '"mean_speed": max(speeds)',
        )
    },
}


def sample_course(target: Path, assignment: str, also: str | None = None) -> Path:
    """A copy of the sample course with ``assignment`` released into its data folder.

    ``also``: another exercise whose notebook (and data files) join ``assignment``'s
    source before the release, for a two-notebook assignment.
    """
    from course.plan import load_course
    from course.publish.release import release

    copy_course(REPO, target)
    if also:
        for path in (target / "exercises" / also).iterdir():
            shutil.copy(path, target / "exercises" / assignment / path.name)
    release(load_course(target), assignment)
    return target


def correct_answers(root: Path, assignment: str) -> tuple[dict[str, str], list[str]]:
    """Every solution cell of the source by grade id, markers taken out; and the code cells' ids."""
    answers, code = {}, []
    for path in sorted((root / "exercises" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                lines = cell.source.splitlines()
                kept = [line for line in lines if line.strip() not in MARKERS]
                answers[meta["grade_id"]] = "\n".join(kept)
                if cell.cell_type == "code":
                    code.append(meta["grade_id"])
    return answers, code


def variant(
    kind: str, answers: dict[str, str], code: list[str], assignment: str, rng: random.Random
) -> dict[str, str]:
    """The answers a student of ``kind`` hands in (grade id -> cell source)."""
    if kind == "correct":
        return dict(answers)
    if kind == "wrong":
        return {}
    if kind == "erroring":
        return {**answers, rng.choice(code): BROKEN}
    if kind == "slow":
        first = code[0]
        return {**answers, first: SLOW + answers[first]}
    near = NEAR_MISSES.get(assignment)
    if near:
        changed = dict(answers)
        for grade_id, (old, new) in near.items():
            changed[grade_id] = answers[grade_id].replace(old, new)
        return changed
    return dict(list(answers.items())[: len(answers) // 2])


def write_submissions(root: Path, assignment: str, n: int, seed: int) -> None:
    """``submitted/studentNNNN/<assignment>/``: the release with a mix of answer kinds."""
    answers, code = correct_answers(root, assignment)
    rng = random.Random(seed)
    release = root / "var" / "release" / assignment
    for index in range(n):
        chosen = variant(KINDS[index % len(KINDS)], answers, code, assignment, rng)
        folder = root / "var" / "submitted" / f"student{index:04d}" / assignment
        shutil.copytree(release, folder)
        (folder / "timestamp.txt").write_text("2027-01-10 10:00:00")
        for path in folder.glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in chosen:
                    cell.source = chosen[grade_id]
            nbformat.write(nb, path)


def auto_scores(root: Path, course_id: str, assignment: str) -> dict[tuple, float | None]:
    """Every grade cell's auto score in the gradebook: (student, notebook, grade id) -> score."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'var' / 'gradebook.db'}", course_id) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(submission.student_id, notebook.name, grade.name)] = grade.auto_score
    return scores


def grade_cell_count(root: Path, course_id: str, assignment: str) -> int:
    """How many grade cells the released assignment has, all notebooks together."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'var' / 'gradebook.db'}", course_id) as gradebook:
        found = gradebook.find_assignment(assignment)
        return sum(len(notebook.grade_cells) for notebook in found.notebooks)
