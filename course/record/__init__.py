"""The class record: who the learners are, what they did, their mastery and readiness.

The layer below ``course.live`` and ``course.present``: both read the class through
it, so the presenter page's readiness and the instructor dashboard give the same
numbers, computed by one rule (``course.record.mastery``) from one read of the
sources (``load_class``: nbgrader's gradebook and the progress-events table).

    record = load_class(course)                  # or events=<the server's engine>
    standing = readiness(course, record, "m2")   # .ready, .below[learner], .shares
    module_shares(record, course.module("m1"))   # learner id → share of the module

It owns the ``progress_events`` table and its migrations (``Database``, ``ProgressEvent``);
``course.live`` stores the events it receives through it. Learners are ids (the
nbgrader student id) everywhere; the roster that names them (issue 12) joins this
package as ``course.record.roster``.
"""

from course.record.classrecord import ClassRecord, load_class
from course.record.events import Event, ProgressEvent, store_events
from course.record.gradebook import Submission, TestScore
from course.record.items import ItemStat, item_stats
from course.record.mastery import Readiness, mastered, module_shares, prerequisites, readiness
from course.record.outcomes import TestError
from course.record.store import Database, sqlite_url

__all__ = [
    "ClassRecord",
    "Database",
    "Event",
    "ItemStat",
    "ProgressEvent",
    "Readiness",
    "Submission",
    "TestError",
    "TestScore",
    "item_stats",
    "load_class",
    "mastered",
    "module_shares",
    "prerequisites",
    "readiness",
    "sqlite_url",
    "store_events",
]
