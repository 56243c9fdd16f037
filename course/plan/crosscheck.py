"""Rules that span the whole plan or reach the disk: references, uniqueness, order of dates.

Every rule adds problems rather than stopping at the first, so an instructor fixes
a plan in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from graphlib import CycleError, TopologicalSorter
from typing import Any

from course.errors import Problem
from course.plan.model import EXERCISES_DIR, Course

ProblemAt = Callable[[tuple[Any, ...], str], Problem]


def crosscheck(course: Course, problem: ProblemAt) -> list[Problem]:
    """Every cross-field problem; ``problem(loc, message)`` locates one in course.yml."""
    problems: list[Problem] = []
    for rule in (_unique_ids, _requirements, _files, _assignments, _dates):
        problems.extend(rule(course, problem))
    return problems


def _unique_ids(course: Course, problem: ProblemAt) -> list[Problem]:
    found: list[Problem] = []
    seen_modules: dict[str, int] = {}
    seen_assignments: dict[str, int] = {}
    for i, module in enumerate(course.modules):
        if module.id in seen_modules:
            first = seen_modules[module.id]
            found.append(
                problem(("modules", i, "id"), f"{module.id!r} is already modules[{first}]")
            )
        seen_modules.setdefault(module.id, i)
        if module.exercise:
            name = module.exercise.assignment
            if name in seen_assignments:
                first = seen_assignments[name]
                found.append(
                    problem(
                        ("modules", i, "exercise", "assignment"),
                        f"assignment {name!r} is already used by modules[{first}]",
                    )
                )
            seen_assignments.setdefault(name, i)
    return found


def _requirements(course: Course, problem: ProblemAt) -> list[Problem]:
    found: list[Problem] = []
    order = {m.id: i for i, m in reversed(list(enumerate(course.modules)))}
    for i, module in enumerate(course.modules):
        for j, required in enumerate(module.requires):
            loc = ("modules", i, "requires", j)
            if required not in order:
                known = ", ".join(order)
                found.append(problem(loc, f"unknown module {required!r} (modules: {known})"))
            elif order[required] >= i:
                found.append(
                    problem(
                        loc,
                        f"{required!r} is not an earlier module; a module may only "
                        "require modules listed before it",
                    )
                )
    graph = {m.id: [r for r in m.requires if r in order] for m in course.modules}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        cycle = error.args[1]
        first = order[cycle[0]]
        found.append(
            problem(
                ("modules", first, "requires"), "requirements form a cycle: " + " -> ".join(cycle)
            )
        )
    return found


def _files(course: Course, problem: ProblemAt) -> list[Problem]:
    found: list[Problem] = []
    for i, module in enumerate(course.modules):
        refs: list[tuple[tuple[Any, ...], str | None]] = []
        if module.self_paced:
            refs.append((("self_paced", "notebook"), module.self_paced.notebook))
        if module.live:
            live = module.live
            refs += [
                (("live", "group_notebook"), live.group_notebook),
                (("live", "polls"), live.polls),
                (("live", "present"), live.present),
            ]
        for where, path in refs:
            if path is not None and not (course.root / path).is_file():
                found.append(problem(("modules", i, *where), f"file not found: {path}"))
    return found


def _assignments(course: Course, problem: ProblemAt) -> list[Problem]:
    exercises = course.root / EXERCISES_DIR
    available = (
        sorted(p.name for p in exercises.glob("*") if p.is_dir() and any(p.glob("*.ipynb")))
        if exercises.is_dir()
        else []
    )
    found: list[Problem] = []
    for i, module in enumerate(course.modules):
        if module.exercise and module.exercise.assignment not in available:
            name = module.exercise.assignment
            listing = ", ".join(available) or "none"
            found.append(
                problem(
                    ("modules", i, "exercise", "assignment"),
                    f"assignment {name!r} not found: no {EXERCISES_DIR}/{name}/ folder "
                    f"with a notebook (available: {listing})",
                )
            )
    return found


def _after_opening(course: Course, i: int, opens: date, problem: ProblemAt) -> list[Problem]:
    """Module ``i``'s exercise due date and live session come after it opens."""
    module, at = course.modules[i], course.localize
    found: list[Problem] = []
    if module.exercise and at(module.exercise.due) <= at(opens):
        found.append(
            problem(
                ("modules", i, "exercise", "due"),
                f"due {module.exercise.due:%Y-%m-%d %H:%M} is not after the module opens ({opens})",
            )
        )
    if module.live and at(module.live.starts) <= at(opens):
        found.append(
            problem(
                ("modules", i, "live", "starts"),
                f"live session {module.live.starts:%Y-%m-%d %H:%M} is not after the "
                f"module opens ({opens})",
            )
        )
    return found


def _dates(course: Course, problem: ProblemAt) -> list[Problem]:
    found: list[Problem] = []
    at = course.localize
    for i, module in enumerate(course.modules):
        if module.self_paced is not None:
            found += _after_opening(course, i, module.self_paced.opens, problem)
        for required in module.requires:
            before = next((m for m in course.modules if m.id == required), None)
            if not (module.live and before and before.exercise):
                continue
            if at(before.exercise.due) >= at(module.live.starts):
                found.append(
                    problem(
                        ("modules", i, "live", "starts"),
                        f"live session {module.live.starts:%Y-%m-%d %H:%M} requires {required!r}, "
                        f"whose exercise is due later ({before.exercise.due:%Y-%m-%d %H:%M})",
                    )
                )
    return found
