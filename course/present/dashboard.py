"""The instructor's numbers: per-module funnel, score distributions, hardest tests, readiness.

Pure functions over a ``ClassRecord``, so each number is testable by hand. A learner's
share of a module follows the live presenter page's rule (``course.live.readiness``):
the graded score over the maximum when they submitted, else the mean of their best
``check()`` score per exercise; ready means every prerequisite share reaches mastery.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from course.live.readiness import prerequisites
from course.plan import Course, Module
from course.present.classdata import ClassRecord


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
class TestStat:
    """How many submissions earned full points on one autograded test."""

    assignment: str
    test: str
    submissions: int
    passed: int

    @property
    def share(self) -> float:
        return self.passed / self.submissions if self.submissions else 0.0


@dataclass(frozen=True)
class NotReady:
    """A learner below mastery in at least one prerequisite, with every prerequisite's share."""

    learner: str
    shares: dict[str, float]
    below: list[str]


def funnel(course: Course, record: ClassRecord) -> list[ModuleFunnel]:
    """Started (any event or a submission), checked, passed a check, reached mastery."""
    return [_module_funnel(course, module, record) for module in course.modules]


def _module_funnel(course: Course, module: Module, record: ClassRecord) -> ModuleFunnel:
    events = [e for e in record.events if e.module == module.id]
    assignment = module.exercise.assignment if module.exercise else None
    submitted = {s.learner for s in record.submissions if s.assignment == assignment}
    checked = {e.learner for e in events if e.verb == "checked"}
    passed = {e.learner for e in events if e.verb == "checked" and e.success}
    mastered = (
        {w for w in record.learners if module_share(record, module, w) >= module.exercise.mastery}
        if module.exercise
        else set()
    )
    return ModuleFunnel(
        module=module.id,
        title=module.title,
        learners=len(record.learners),
        started=len({e.learner for e in events} | submitted),
        checked=len(checked),
        passed=len(passed),
        mastery=len(mastered),
    )


def module_share(record: ClassRecord, module: Module, learner: str) -> float:
    """Graded share of the module's exercise, else the practice share from checks, else 0."""
    if module.exercise is None:
        return 0.0
    for submission in record.submissions:
        if (
            submission.learner == learner
            and submission.assignment == module.exercise.assignment
            and submission.max_score
        ):
            return submission.score / submission.max_score
    best: dict[str, float] = {}
    for event in record.events:
        if (
            event.learner == learner
            and event.module == module.id
            and event.verb == "checked"
            and event.scaled is not None
        ):
            best[event.exercise] = max(best.get(event.exercise, 0.0), event.scaled)
    return sum(best.values()) / len(best) if best else 0.0


def score_distributions(course: Course, record: ClassRecord) -> dict[str, list[float]]:
    """Each assignment's submission shares (score / max), sorted; every planned one listed."""
    shares: dict[str, list[float]] = {name: [] for name in course.assignments()}
    for s in record.submissions:
        if s.max_score:
            shares.setdefault(s.assignment, []).append(s.score / s.max_score)
    return {name: sorted(values) for name, values in shares.items()}


def histogram(shares: list[float], bins: int = 5) -> list[int]:
    """Counts per equal-width bin of [0, 1]; a full score lands in the last bin."""
    counts = [0] * bins
    for share in shares:
        counts[min(int(share * bins), bins - 1)] += 1
    return counts


def hardest_tests(record: ClassRecord, limit: int | None = 10) -> list[TestStat]:
    """Autograded tests by share of submissions with full points, lowest first."""
    seen: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for t in record.tests:
        counts = seen[(t.assignment, t.test)]
        counts[0] += 1
        counts[1] += t.max_score > 0 and t.score >= t.max_score
    stats = [TestStat(a, name, n, passed) for (a, name), (n, passed) in seen.items()]
    stats.sort(key=lambda s: (s.share, s.assignment, s.test))
    return stats[:limit] if limit is not None else stats


def next_session(course: Course, now: datetime) -> Module | None:
    """The first module whose live session starts after ``now`` (wall-clock, course zone)."""
    moment = course.localize(now)
    upcoming = [m for m in course.modules if m.live and course.localize(m.live.starts) > moment]
    return min(upcoming, key=lambda m: course.localize(m.live.starts), default=None)


def not_ready(course: Course, record: ClassRecord, module_id: str) -> list[NotReady]:
    """Known learners below mastery in a prerequisite of ``module_id``'s live session."""
    modules = prerequisites(course, module_id)
    found = []
    for learner in sorted(record.learners):
        shares = {m.id: module_share(record, m, learner) for m in modules}
        below = [m.id for m in modules if shares[m.id] < m.exercise.mastery]
        if below:
            found.append(NotReady(learner, shares, below))
    return found
