"""``course collect``: submissions from the nbgrader exchange, a folder or an LMS zip.

    report = collect(course, "ps1", "exchange")          # or a folder, or a zip
    report.taken, report.skipped, report.record          # what, why, the JSON record

Learners are found through the roster (``course.record.roster``); due dates and
extensions come from the plan and the roster (``course.record.roster.due``).
"""

from course.grading.collect.entries import CollectError, Limits, RefusedSource
from course.grading.collect.intake import collect, expected_notebooks, resolve_source
from course.grading.collect.record import CollectReport, Skipped, Taken

__all__ = [
    "CollectError",
    "CollectReport",
    "Limits",
    "RefusedSource",
    "Skipped",
    "Taken",
    "collect",
    "expected_notebooks",
    "resolve_source",
]
