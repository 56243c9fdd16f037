"""The mastery rule, in one place: a learner's share of a module, and who is ready for a session.

A learner's share of a module is their graded score over the maximum in nbgrader's
gradebook when they submitted the module's exercise, else the mean of their best
``check()`` score per exercise from progress events (practice, not grades), else 0.
A learner is ready for a module's live session when their share of every prerequisite
module reaches that module's ``mastery``. The prerequisites are the session's own
module (in a flipped classroom its exercise is due before the meeting) and the
modules it ``requires``, those that have an exercise. Learners are ids throughout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from course.plan import Course, Module
from course.record.classrecord import ClassRecord


def prerequisites(course: Course, module_id: str) -> list[Module]:
    """The modules whose mastery a session of ``module_id`` assumes, the module first."""
    module = course.module(module_id)
    chain = [module, *(course.module(r) for r in module.requires)]
    return [m for m in chain if m.exercise is not None]


def module_shares(record: ClassRecord, module: Module) -> dict[str, float]:
    """Every learner's share of ``module`` (see the module docstring), in one pass."""
    if module.exercise is None:
        return dict.fromkeys(record.learners, 0.0)
    assignment = module.exercise.assignment
    graded = {
        s.learner: s.share
        for s in record.submissions
        if s.assignment == assignment and s.share is not None
    }
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for event in record.events:
        if event.module == module.id and event.verb == "checked" and event.scaled is not None:
            exercises = best[event.learner]
            exercises[event.exercise] = max(exercises.get(event.exercise, 0.0), event.scaled)
    practised = {who: sum(v.values()) / len(v) for who, v in best.items()}
    return {who: graded.get(who, practised.get(who, 0.0)) for who in record.learners}


def mastered(record: ClassRecord, module: Module) -> frozenset[str]:
    """The learners whose share of ``module`` reaches its mastery; none without an exercise."""
    if module.exercise is None:
        return frozenset()
    shares = module_shares(record, module)
    return frozenset(who for who, share in shares.items() if share >= module.exercise.mastery)


@dataclass(frozen=True)
class Readiness:
    """Who is ready for one module's live session, and each learner's prerequisite shares."""

    module: str
    prerequisites: tuple[Module, ...]
    shares: Mapping[str, Mapping[str, float]]  # learner → prerequisite module id → share
    below: Mapping[str, tuple[str, ...]]  # learner → prerequisites under mastery, in order

    @property
    def ready(self) -> frozenset[str]:
        return frozenset(who for who, missing in self.below.items() if not missing)


def readiness(course: Course, record: ClassRecord, module_id: str) -> Readiness:
    """Every learner of the record measured against the prerequisites of ``module_id``."""
    modules = prerequisites(course, module_id)
    mastery = {m.id: m.exercise.mastery for m in modules if m.exercise is not None}
    by_module = {m.id: module_shares(record, m) for m in modules}
    shares = {who: {m.id: by_module[m.id][who] for m in modules} for who in record.learners}
    below = {
        who: tuple(m.id for m in modules if shares[who][m.id] < mastery[m.id])
        for who in record.learners
    }
    return Readiness(module_id, tuple(modules), shares, below)
