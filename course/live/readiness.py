"""Readiness on the presenter page: the class record's readiness, counted over the participants.

The rule and the numbers are the class record's (``course.record.mastery``), read
from the same gradebook and events the dashboard reads, and its learners are the
roster's (``load_class``). What is live's own is which learners are in the room: a
participant is a learner when they joined signed in as one (their roster id, stored
with the participant; see ``course.live.auth.signed_in_learner``), never by the name
they typed. Join-code participants and anonymous ones are counted, not matched, so
the reply gives both the participants' and the whole class's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from course.plan import Course
from course.record import load_class
from course.record import readiness as class_readiness
from course.record.store import Database


def readiness(
    course: Course, module_id: str, store: Database, learners: Sequence[str], *, joined: int
) -> dict[str, Any]:
    """The share of the signed-in participants (and of the class) ready for this module.

    ``learners`` are the roster ids of the participants who signed in, ``joined`` how
    many joined at all. A participant whose id is not (or no longer) on the roster is
    not one of the class's learners: joined, but not known.
    """
    record = load_class(course, events=store.engine, errors=False)  # no item analysis here
    standing = class_readiness(course, record, module_id)
    known = sorted({learner for learner in learners if learner in record.learners})
    known_ready = [learner for learner in known if learner in standing.ready]
    return {
        "module": module_id,
        "prerequisites": [
            {"module": m.id, "assignment": m.exercise.assignment, "mastery": m.exercise.mastery}
            for m in standing.prerequisites
            if m.exercise is not None
        ],
        "participants": _part(joined, len(known), len(known_ready)),
        "learners": _part(len(record.learners), len(record.learners), len(standing.ready)),
    }


def _part(total: int, known: int, ready: int) -> dict[str, Any]:
    share = ready / known if known else None
    return {"total": total, "known": known, "ready": ready, "share": share}
