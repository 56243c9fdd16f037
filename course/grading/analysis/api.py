"""``report``: the one function ``course report``, the tests and notebooks call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.grading.analysis.page import write_page
from course.grading.analysis.plots import item_bars, score_histogram
from course.grading.analysis.summary import summary
from course.layout import report_folder
from course.plan import Course
from course.record import ClassRecord, ItemStat, item_stats, load_class


class ReportError(CourseError):
    """No report can be made: an unknown assignment, or nothing of it graded."""


@dataclass(frozen=True)
class ItemReport:
    """An assignment's item analysis and the files it was written to."""

    assignment: str
    items: list[ItemStat]
    shares: list[float]
    summary: list[str]
    page: Path
    histogram: Path
    item_chart: Path


def report(course: Course, assignment: str, record: ClassRecord | None = None) -> ItemReport:
    """Item statistics of ``assignment`` (from the class record), its plots and its page.

    ``record``: the class as already loaded (default: ``load_class(course)``).
    """
    if assignment not in course.assignments():
        known = ", ".join(course.assignments()) or "none"
        raise ReportError(f"{assignment!r} is not an assignment of the course (known: {known})")
    record = record or load_class(course)
    items = [item for item in item_stats(record) if item.assignment == assignment]
    shares = sorted(
        share
        for s in record.submissions
        if s.assignment == assignment and (share := s.share) is not None
    )
    if not items and not shares:
        raise ReportError(
            f"nothing of {assignment} is graded yet: run `course grade {assignment}` first"
        )
    folder = report_folder(course, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    histogram = score_histogram(shares, folder / "scores.png", f"{assignment}: scores")
    chart = item_bars(items, folder / "items.png", f"{assignment}: learners who passed each test")
    paragraphs = summary(items)
    page = write_page(
        folder / "index.html",
        course_title=course.title,
        assignment=assignment,
        items=items,
        shares=shares,
        summary=paragraphs,
        histogram=histogram,
        item_chart=chart,
    )
    return ItemReport(assignment, items, shares, paragraphs, page, histogram, chart)
