"""The course calendar as iCalendar: one event per live session, one entry per exercise deadline.

Times carry the course's time zone (with its VTIMEZONE), so calendar apps show
them right wherever the learner is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from course.plan import Course

PRODID = "-//Blended Course Kit//course build//EN"


def course_calendar(course: Course, *, stamp: datetime | None = None) -> Calendar:
    """Build the calendar; ``stamp`` fixes DTSTAMP so the file is reproducible."""
    stamp = stamp or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", course.title)
    calendar.add("x-wr-timezone", course.timezone)
    for module in course.modules:
        if module.live:
            starts = course.localize(module.live.starts)
            event = _event(course, f"{module.id}-live", f"Live session: {module.title}", stamp)
            event.add("dtstart", starts)
            event.add("dtend", starts + module.live.duration)
            event.add("categories", ["LIVE-SESSION"])
            prepare = ", ".join(module.requires) or "nothing"
            event.add("description", f"{course.title}, module {module.id}. Prepare: {prepare}.")
            calendar.add_component(event)
        if module.exercise:
            due = course.localize(module.exercise.due)
            name = module.exercise.assignment
            event = _event(course, f"{module.id}-due", f"Due: {name} ({module.title})", stamp)
            event.add("dtstart", due)
            event.add("dtend", due)
            event.add("categories", ["DEADLINE"])
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def _event(course: Course, key: str, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{course.id}-{key}@blended-course-kit")
    event.add("summary", summary)
    event.add("dtstamp", stamp)
    return event
