"""The class record: who the learners are and what they did.

It owns the ``progress_events`` table and its migrations (``Database``, ``ProgressEvent``);
``course.live`` stores the events it receives through it.
"""

from course.record.events import Event, ProgressEvent, store_events
from course.record.store import Database, sqlite_url

__all__ = ["Database", "Event", "ProgressEvent", "sqlite_url", "store_events"]
