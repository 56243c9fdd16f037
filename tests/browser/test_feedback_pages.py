"""``course feedback`` and ``course report`` pages in Chromium: offline, readable on a phone,
no serious axe violation.

The class is graded and its feedback written before the browser starts: Playwright's
sync API owns the thread's event loop while it runs, and the grader needs one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.grading.analysis import report
from course.grading.feedback import feedback
from course.layout import feedback_folder
from course.plan import Course
from course.testing.browser import Steps
from tests.browser.helpers import PHONE, assert_offline_and_accessible, open_offline
from tests.grading.graded_class import ASSIGNMENT, make_graded_class

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def pages(course_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    course: Course = make_graded_class(tmp_path_factory.mktemp("pages") / "course", course_root)
    feedback(course, ASSIGNMENT)
    pages = {
        learner: feedback_folder(course, learner, ASSIGNMENT) / f"{ASSIGNMENT}.html"
        for learner in ("blank", "half", "full")
    }
    yield {**pages, "report": report(course, ASSIGNMENT).page}


@pytest.mark.parametrize("learner", ["blank", "half", "full"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_feedback_page_is_offline_accessible_and_fits_the_screen(
    pages: dict[str, Path], course_browser: Any, course_steps: Steps, learner: str, viewport: Any
) -> None:
    context = {"viewport": viewport} if viewport else {}
    page, offline, errors = open_offline(course_browser, pages[learner].as_uri(), **context)
    course_steps.shot(page, f"{learner}-feedback")

    assert_offline_and_accessible(page, offline, errors)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    inner = page.evaluate("() => window.innerWidth")
    assert width <= inner + 1, f"the page scrolls sideways: {width}px in a {inner}px window"
    assert page.locator("header h1").inner_text().startswith("Feedback on ps1")
    assert page.locator("table.scores tbody tr").count() == 6  # 5 tests and 1 manual part


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_report_page_is_offline_accessible_and_fits_the_screen(
    pages: dict[str, Path], course_browser: Any, course_steps: Steps, viewport: Any
) -> None:
    context = {"viewport": viewport} if viewport else {}
    page, offline, errors = open_offline(course_browser, pages["report"].as_uri(), **context)
    course_steps.shot(page, "report")

    assert_offline_and_accessible(page, offline, errors)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.evaluate("() => window.innerWidth") + 1
    images = page.locator("img")
    assert images.count() == 2
    for index in range(2):  # both plots decoded and drawn
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth") > 300
    assert page.locator("main ol li").count() == 3
