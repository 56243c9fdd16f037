"""Changes to the roster as the instructor makes them: import, add, edit, remove, extend.

Each loads the roster, changes it, saves it atomically and then brings nbgrader's
gradebook in line (``students.sync_gradebook``), so the two never disagree for
long. The CLI and the server call these; nothing else writes the roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from course.plan import Course
from course.record.roster import EDITABLE, Learner, RosterError, due, load_roster, save_roster
from course.record.roster_import import ImportReport, merge, read_export
from course.record.students import SyncReport, sync_gradebook


@dataclass(frozen=True)
class Imported:
    """An import's effect on the roster and on the gradebook (None when not synced)."""

    report: ImportReport
    synced: SyncReport | None


def import_roster(
    course: Course,
    file: Path,
    *,
    format: str = "auto",
    id_column: str | None = None,
    dry_run: bool = False,
    sync: bool = True,
) -> Imported:
    """Read an LMS export into the roster; with ``dry_run`` nothing is written."""
    roster = load_roster(course)
    found, entries, skipped = read_export(file, format=format, id_column=id_column)
    report = merge(roster, found, entries, skipped)
    if dry_run:
        return Imported(report, None)
    save_roster(course, roster)
    return Imported(report, sync_gradebook(course, roster) if sync else None)


def add_learner(course: Course, learner: Learner) -> Learner:
    roster = load_roster(course)
    roster.add(learner)
    save_roster(course, roster)
    sync_gradebook(course, roster)
    return learner


def edit_learner(course: Course, learner_id: str, **changes: str) -> Learner:
    """Change names, email, LMS id, section or hub user of one learner."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RosterError(f"cannot edit {', '.join(sorted(unknown))}; editable: {EDITABLE}")
    roster = load_roster(course)
    changed = roster.replace(learner_id, **changes)
    save_roster(course, roster)
    sync_gradebook(course, roster)
    return changed


def remove_learner(course: Course, learner_id: str) -> Learner:
    """Take a learner off the roster; their gradebook entry and work stay."""
    roster = load_roster(course)
    removed = roster.remove(learner_id)
    save_roster(course, roster)
    return removed


def extend_deadline(
    course: Course,
    learner_id: str,
    assignment: str,
    *,
    extra: timedelta | None = None,
    until: datetime | None = None,
) -> datetime:
    """Give one learner more time on one assignment; returns their new due date.

    ``extra`` is added to the plan's due date; ``until`` is the new due date itself
    (wall-clock in the course's zone unless it says otherwise). Neither clears it.
    """
    roster = load_roster(course)
    learner = roster.get(learner_id)
    planned = due(course, None, assignment)
    if until is not None:
        extra = course.localize(until) - planned
    minutes = round((extra or timedelta()).total_seconds() / 60)
    if minutes < 0:
        raise RosterError(f"{assignment} is due {planned:%Y-%m-%d %H:%M}: an extension ends later")
    extensions: dict[str, Any] = {**learner.extensions, assignment: minutes}
    if not minutes:
        del extensions[assignment]
    changed = roster.replace(learner.id, extensions=extensions)
    save_roster(course, roster)
    sync_gradebook(course, roster)
    return due(course, changed, assignment)


def sync(course: Course) -> SyncReport:
    """Write the roster to nbgrader's gradebook (students and extensions)."""
    return sync_gradebook(course, load_roster(course))
