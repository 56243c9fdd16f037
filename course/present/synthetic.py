"""A synthetic class for the dashboard: learners, progress events and graded submissions.

It lives in the package, not in benchmarks/, because three callers need it: the tests
(a small, hand-specified class whose numbers are computed by hand), the instructor
dashboard on the sample course (a seeded random class), and demos. It writes through
the same stores real learners fill (the class record's event table in the course
server's store, nbgrader's gradebook with the assignments' real grade cells), only
under the course's ignored data folder, and idempotently: rerunning with the same
seed changes nothing.

    python -m course.present.synthetic [--course PATH] [--learners 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook

from course.layout import (
    SOURCE_DIRECTORY,
    ensure_gradebook,
    gradebook_url,
    live_store_path,
)
from course.learn.events import KIT, VERBS
from course.plan import Course, load_course
from course.record import Database, sqlite_url, store_events

Check = tuple[str, str, bool, float]  # module, exercise, success, scaled score


@dataclass
class SyntheticLearner:
    """One learner: their ``check()`` results and, per assignment submitted, points per cell."""

    name: str
    checks: list[Check] = field(default_factory=list)
    grades: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    assignment: str
    notebook: str
    name: str
    points: float
    is_test: bool


def grade_cells(course: Course) -> list[Cell]:
    """The graded cells of every planned assignment, from the nbgrader source notebooks."""
    cells = []
    for assignment in course.assignments():
        for path in sorted((course.root / SOURCE_DIRECTORY / assignment).glob("*.ipynb")):
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if meta.get("grade"):
                    is_test = not meta.get("solution")
                    points = float(meta.get("points", 0))
                    cells.append(Cell(assignment, path.stem, meta["grade_id"], points, is_test))
    return cells


def write_class(course: Course, learners: list[SyntheticLearner]) -> None:
    """Store the learners' events and submissions in the course's data folder."""
    write_events(course, learners)
    write_grades(course, learners, grade_cells(course))


def write_events(course: Course, learners: list[SyntheticLearner]) -> None:
    """Into the course server's default store: the record's table, which the server shares."""
    course.data_path.mkdir(parents=True, exist_ok=True)
    database = Database(sqlite_url(live_store_path(course)))
    try:
        database.migrate()
        rows = [
            _event_row(course, learner.name, i, check)
            for learner in learners
            for i, check in enumerate(learner.checks)
        ]
        store_events(database, rows)
    finally:
        database.dispose()


def _event_row(course: Course, learner: str, index: int, check: Check) -> dict[str, Any]:
    module, exercise, success, scaled = check
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{KIT}synthetic:{learner}:{index}"))
    result = {"success": success, "score": {"scaled": scaled}}
    body = {
        "id": event_id,
        "actor": {"objectType": "Agent", "name": learner, "account": {"name": learner}},
        "verb": {"id": VERBS["checked"], "display": {"en": "checked"}},
        "object": {"id": f"{KIT}{course.id}:exercise:{exercise}"},
        "result": result,
    }
    return {
        "id": event_id,
        "actor": learner,
        "verb": "checked",
        "kind": "exercise",
        "object_name": exercise,
        "course": course.id,
        "module": module,
        "success": success,
        "scaled": scaled,
        "timestamp": f"2027-01-{12 + index % 15:02d}T10:00:00+00:00",
        "body": body,
    }


def write_grades(course: Course, learners: list[SyntheticLearner], cells: list[Cell]) -> None:
    ensure_gradebook(course)
    with Gradebook(gradebook_url(course)) as gb:
        for cell in cells:
            gb.update_or_create_assignment(cell.assignment)
            gb.update_or_create_notebook(cell.notebook, cell.assignment)
            kind = "code" if cell.is_test else "markdown"
            gb.update_or_create_grade_cell(
                cell.name, cell.notebook, cell.assignment, max_score=cell.points, cell_type=kind
            )
            if not cell.is_test:
                gb.update_or_create_solution_cell(cell.name, cell.notebook, cell.assignment)
        for learner in learners:
            gb.update_or_create_student(learner.name)
            for assignment, points in learner.grades.items():
                gb.update_or_create_submission(assignment, learner.name)
                for cell in (c for c in cells if c.assignment == assignment):
                    grade = gb.find_grade(cell.name, cell.notebook, assignment, learner.name)
                    score = min(points.get(cell.name, 0.0), cell.points)
                    if cell.is_test:
                        grade.auto_score = score
                    else:
                        grade.manual_score = score
        gb.db.commit()


def random_class(course: Course, size: int = 30, seed: int = 1) -> list[SyntheticLearner]:
    """A plausible class: abilities vary, fewer learners reach each later module."""
    rng = random.Random(seed)
    cells = grade_cells(course)
    learners = []
    for n in range(size):
        learner = SyntheticLearner(f"learner{n + 1:03d}")
        ability = rng.uniform(0.3, 1.0)
        for depth, module in enumerate(course.modules):
            if rng.random() > 0.95 - 0.2 * depth:
                break
            for k in range(1, 4):
                scaled = round(min(1.0, ability * rng.uniform(0.6, 1.3)), 2)
                check = (module.id, f"{module.id}-ex{k}", scaled == 1.0, scaled)
                learner.checks.append(check)
            if module.exercise and rng.random() < 0.9:
                tests = [c for c in cells if c.assignment == module.exercise.assignment]
                learner.grades[module.exercise.assignment] = {
                    c.name: c.points if rng.random() < ability else 0.0 for c in tests
                }
        learners.append(learner)
    return learners


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=Path("."), help="the course folder")
    parser.add_argument("--learners", type=int, default=30, help="how many learners")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same class)")
    args = parser.parse_args(argv)
    course = load_course(args.course)
    write_class(course, random_class(course, args.learners, args.seed))
    print(f"{args.learners} synthetic learners written to {course.data_path}")


if __name__ == "__main__":
    main()
