"""Readiness on the presenter page: the class record's readiness, counted over the participants.

The rule and the numbers are the class record's (``course.record.mastery``), read
from the same gradebook and events the dashboard reads. What is live's own is the
step from a participant to a learner id, and today that is a stand-in: participants
join with a code and a display name and carry no learner id, so ``learner_ids``
matches the display name to an id, case-insensitively. When issue 12's roster and
sign-in give participants their learner id, that function is what goes away.
Anonymous participants cannot be matched, so the reply gives both the participants'
and all learners' numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from course.plan import Course
from course.record import load_class
from course.record import readiness as class_readiness
from course.record.store import Database


def learner_ids(names: Sequence[str], learners: Collection[str]) -> list[str]:
    """The learner id of each display name that matches one (case-insensitively), in order."""
    by_name = {learner.casefold(): learner for learner in learners}
    return [by_name[name.casefold()] for name in names if name and name.casefold() in by_name]


def readiness(
    course: Course, module_id: str, store: Database, names: Sequence[str]
) -> dict[str, Any]:
    """The share of participants (and of all known learners) ready for this module's session."""
    record = load_class(course, events=store.engine)
    standing = class_readiness(course, record, module_id)
    known = learner_ids(names, record.learners)
    known_ready = [learner for learner in known if learner in standing.ready]
    return {
        "module": module_id,
        "prerequisites": [
            {"module": m.id, "assignment": m.exercise.assignment, "mastery": m.exercise.mastery}
            for m in standing.prerequisites
            if m.exercise is not None
        ],
        "participants": _part(len(names), len(known), len(known_ready)),
        "learners": _part(len(record.learners), len(record.learners), len(standing.ready)),
    }


def _part(total: int, known: int, ready: int) -> dict[str, Any]:
    share = ready / known if known else None
    return {"total": total, "known": known, "ready": ready, "share": share}
