"""The instructor's numbers: per-module funnel, score distributions, hardest tests, readiness.

Pure functions over a ``ClassRecord`` (``course.record``), so each number is testable
by hand. Shares, mastery and readiness are the class record's rule
(``course.record.mastery``), the one the live presenter page counts with too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from course.plan import Course, Module
from course.record import ClassRecord, ItemStat, item_stats, mastered, readiness


@dataclass(frozen=True)
class ModuleFunnel:
    """How far the class got in one module, in learners (out of ``learners``)."""

    module: str
    title: str
    learners: int
    started: int
    checked: int
    passed: int
    mastery: int


@dataclass(frozen=True)
class NotReady:
    """A learner below mastery in at least one prerequisite, with every prerequisite's share."""

    learner: str
    shares: dict[str, float]
    below: list[str]


def funnel(course: Course, record: ClassRecord) -> list[ModuleFunnel]:
    """Started (any event or a submission), checked, passed a check, reached mastery."""
    return [_module_funnel(module, record) for module in course.modules]


def _module_funnel(module: Module, record: ClassRecord) -> ModuleFunnel:
    events = [e for e in record.events if e.module == module.id]
    assignment = module.exercise.assignment if module.exercise else None
    submitted = {s.learner for s in record.submissions if s.assignment == assignment}
    checked = {e.learner for e in events if e.verb == "checked"}
    passed = {e.learner for e in events if e.verb == "checked" and e.success}
    return ModuleFunnel(
        module=module.id,
        title=module.title,
        learners=len(record.learners),
        started=len({e.learner for e in events} | submitted),
        checked=len(checked),
        passed=len(passed),
        mastery=len(mastered(record, module)),
    )


def score_distributions(course: Course, record: ClassRecord) -> dict[str, list[float]]:
    """Each assignment's submission shares (score / max), sorted; every planned one listed."""
    shares: dict[str, list[float]] = {name: [] for name in course.assignments()}
    for s in record.submissions:
        if s.share is not None:
            shares.setdefault(s.assignment, []).append(s.share)
    return {name: sorted(values) for name, values in shares.items()}


def histogram(shares: list[float], bins: int = 5) -> list[int]:
    """Counts per equal-width bin of [0, 1]; a full score lands in the last bin."""
    counts = [0] * bins
    for share in shares:
        counts[min(int(share * bins), bins - 1)] += 1
    return counts


def hardest_tests(record: ClassRecord, limit: int | None = 10) -> list[ItemStat]:
    """Autograded tests by share of submissions with full points, lowest first."""
    stats = sorted(item_stats(record), key=lambda s: (s.share, s.assignment, s.test))
    return stats[:limit] if limit is not None else stats


def next_session(course: Course, now: datetime) -> Module | None:
    """The first module whose live session starts after ``now`` (wall-clock, course zone)."""
    moment = course.localize(now)
    upcoming = [
        (starts, m)
        for m in course.modules
        if m.live and (starts := course.localize(m.live.starts)) > moment
    ]
    return min(upcoming, key=lambda pair: pair[0], default=(None, None))[1]


def not_ready(course: Course, record: ClassRecord, module_id: str) -> list[NotReady]:
    """Known learners below mastery in a prerequisite of ``module_id``'s live session."""
    standing = readiness(course, record, module_id)
    return [
        NotReady(learner, dict(standing.shares[learner]), list(standing.below[learner]))
        for learner in sorted(record.learners)
        if standing.below[learner]
    ]
