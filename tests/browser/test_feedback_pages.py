"""``course feedback`` and ``course report`` pages in Chromium: offline, readable on a phone,
no serious axe violation.

The class is graded and its feedback written before the browser starts: Playwright's
sync API owns the thread's event loop while it runs, and the grader needs one.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course.grading.analysis import report
from course.grading.feedback import feedback
from course.layout import autograded_folder, feedback_folder
from course.plan import Course
from course.testing.browser import Steps
from tests.browser.helpers import PHONE, assert_offline_and_accessible, open_offline
from tests.grading.graded_class import ASSIGNMENT, make_graded_class

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def pages(course_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    course: Course = make_graded_class(tmp_path_factory.mktemp("pages") / "course", course_root)
    _add_a_figure(autograded_folder(course, "full", ASSIGNMENT) / f"{ASSIGNMENT}.ipynb")
    feedback(course, ASSIGNMENT)
    pages = {
        learner: feedback_folder(course, learner, ASSIGNMENT) / f"{ASSIGNMENT}.html"
        for learner in ("blank", "half", "full")
    }
    yield {**pages, "report": report(course, ASSIGNMENT).page}


def _add_a_figure(path: Path) -> None:
    """A chart in the output of an ungraded cell, as a learner's own plot leaves it (no alt)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    figure.subplots().bar(["a", "b"], [1, 2])
    png = io.BytesIO()
    figure.savefig(png, format="png")
    notebook = nbformat.read(path, as_version=4)
    cell = next(
        c for c in notebook.cells if c.cell_type == "code" and not c.metadata.get("nbgrader")
    )
    data = {"image/png": base64.b64encode(png.getvalue()).decode(), "text/plain": "<Figure>"}
    cell.outputs.append(nbformat.v4.new_output("display_data", data=data))
    nbformat.write(notebook, path)


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
    if learner == "full":  # the learner's own chart is shown, described for screen readers
        figure = page.locator("div.output_png img")
        assert figure.count() == 1
        assert figure.get_attribute("alt") == "A figure your code drew in this cell"


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
