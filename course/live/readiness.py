"""Readiness for a live session: who reached the mastery share of the prerequisite work.

The prerequisite modules of a session are its own module (in a flipped classroom its
exercise is due before the meeting) and the modules it ``requires``, those that have
an exercise. A learner's share for a module is their graded score over the maximum in
nbgrader's gradebook when they have a submission, else the mean of their best
``check()`` scores per exercise from progress events (practice, not grades). They are
ready when every prerequisite share reaches that module's ``mastery``.

Participants are matched to learners by display name (case-insensitive); anonymous
participants cannot be, so the reply gives both the participants' and all learners'
numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from course.layout import gradebook_path
from course.live.store import ProgressEvent, Store
from course.plan import Course, Module

Shares = dict[tuple[str, str], float]


def prerequisites(course: Course, module_id: str) -> list[Module]:
    module = course.module(module_id)
    chain = [module, *(course.module(r) for r in module.requires)]
    return [m for m in chain if m.exercise is not None]


def readiness(course: Course, module_id: str, store: Store, names: Sequence[str]) -> dict:
    """The share of participants (and of all known learners) ready for this module's session."""
    modules = prerequisites(course, module_id)
    graded = gradebook_shares(gradebook_path(course), modules)
    practised = event_shares(store, course, modules)
    learners = {who for who, _ in graded} | {who for who, _ in practised}

    def share(who: str, module: Module) -> float:
        return graded.get((who, module.id), practised.get((who, module.id), 0.0))

    ready = {w for w in learners if all(share(w, m) >= m.exercise.mastery for m in modules)}
    by_name = {w.casefold(): w for w in learners}
    known = [by_name[n.casefold()] for n in names if n and n.casefold() in by_name]
    known_ready = [w for w in known if w in ready]
    return {
        "module": module_id,
        "prerequisites": [
            {"module": m.id, "assignment": m.exercise.assignment, "mastery": m.exercise.mastery}
            for m in modules
        ],
        "participants": _part(len(names), len(known), len(known_ready)),
        "learners": _part(len(learners), len(learners), len(ready)),
    }


def _part(total: int, known: int, ready: int) -> dict[str, Any]:
    share = ready / known if known else None
    return {"total": total, "known": known, "ready": ready, "share": share}


def gradebook_shares(path: Path, modules: Sequence[Module]) -> Shares:
    """score / max_score of each student's submission, read-only; nothing when no gradebook."""
    if not path.exists() or not modules:
        return {}
    # Here, not at the top: importing nbgrader imports its apps and converters (seconds),
    # which the course server must not pay at start (tests/live/test_server_imports.py).
    from nbgrader.api import Assignment, SubmittedAssignment

    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    by_assignment = {m.exercise.assignment: m.id for m in modules}
    shares: Shares = {}
    try:
        with Session(engine) as db:
            rows = db.scalars(
                select(SubmittedAssignment)
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
                .where(Assignment.name.in_(list(by_assignment)))
            ).all()
            for row in rows:
                if row.max_score:
                    module = by_assignment[row.assignment.name]
                    shares[(row.student_id, module)] = float(row.score) / float(row.max_score)
    except SQLAlchemyError:  # a gradebook being written or from another nbgrader: no grades
        return {}
    finally:
        engine.dispose()
    return shares


def event_shares(store: Store, course: Course, modules: Sequence[Module]) -> Shares:
    """Mean over exercises of each learner's best scaled ``check()`` score, per module."""
    wanted = [m.id for m in modules]
    best: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    with store.session() as db:
        rows = db.execute(
            select(
                ProgressEvent.actor,
                ProgressEvent.module,
                ProgressEvent.object_name,
                ProgressEvent.scaled,
            ).where(
                ProgressEvent.verb == "checked",
                ProgressEvent.module.in_(wanted),
                ProgressEvent.course.in_([course.id]),
                ProgressEvent.scaled.is_not(None),
            )
        ).all()
    for actor, module, name, scaled in rows:
        exercises = best[(actor, module)]
        exercises[name] = max(exercises.get(name, 0.0), scaled)
    return {key: sum(v.values()) / len(v) for key, v in best.items() if v}
