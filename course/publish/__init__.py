"""``course build``: what the course publishes: the syllabus, the calendar, student versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course.layout import log_path
from course.plan import Course
from course.present import export_apps
from course.processes import start_log
from course.publish.ical import course_calendar
from course.publish.links import binder_link, nbgitpuller_link
from course.publish.release import release
from course.publish.syllabus import render_syllabus

__all__ = ["BuildResult", "binder_link", "build", "course_calendar", "nbgitpuller_link", "release"]

CALENDAR_FILE = "course.ics"


@dataclass
class BuildResult:
    site: Path
    syllabus: Path
    calendar: Path
    releases: list[Path] = field(default_factory=list)
    apps: list[Path] = field(default_factory=list)


def build(course: Course) -> BuildResult:
    """Write everything learners receive into the course's data folder; sources stay untouched.

    Student versions of the exercises come from nbgrader's own converter; each
    presentation app is exported as static HTML so learners can look back at it.
    What the apps' kernels print for themselves goes to ``<data>/logs/build.log``.
    """
    site = course.data_path / "site"
    site.mkdir(parents=True, exist_ok=True)
    calendar = site / CALENDAR_FILE
    calendar.write_bytes(course_calendar(course).to_ical())
    syllabus = site / "index.html"
    syllabus.write_text(render_syllabus(course, calendar_file=CALENDAR_FILE), encoding="utf-8")
    return BuildResult(
        site=site,
        syllabus=syllabus,
        calendar=calendar,
        releases=release(course),
        apps=export_apps(course, log=start_log(log_path(course, "build"))),
    )
