"""Learners in JupyterLab, in Debian's Chromium: a lesson's check, and a group notebook.

A real course server with JupyterLab and real-time collaboration
(``course.testing.CollabServer``, the course server's own settings). Screenshots of
each step go to the data folder when a test fails (``course_steps``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.plan import Course
from course.testing.browser import Steps
from course.testing.collab_server import CollabServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "notebooks/01-foundations.ipynb"
GROUP = "notebooks/live/m1-groups.ipynb"
SOLUTION = 'def parse_count(text):\n    return int(text.strip().replace(",", ""))\n'
DESK = {"width": 1400, "height": 1000}


@pytest.fixture
def lab(
    course_copy: Course, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CollabServer]:
    monkeypatch.setenv("COURSE_LEARNER_DATA", str(tmp_path / "learner"))
    monkeypatch.setenv("COURSE_LEARNER", "learner1")
    server = CollabServer(course_copy)
    server.start(timeout=120)
    yield server
    server.kill()


def open_notebook(browser: Any, lab: CollabServer, path: str) -> Any:
    page = browser.new_context(viewport=DESK).new_page()
    page.goto(f"{lab.url}/lab/tree/{path}?token={lab.token}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=120_000)
    idle = page.locator(
        ".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status=idle]"
    )
    idle.first.wait_for(state="attached", timeout=120_000)
    return page


def cell(page: Any, text: str) -> Any:
    return page.locator(".jp-NotebookPanel:visible .jp-CodeCell").filter(has_text=text).last


def test_a_learner_runs_a_check_sees_it_pass_and_in_their_progress(
    course_browser: Any, lab: CollabServer, course_steps: Steps
) -> None:
    from playwright.sync_api import expect

    page = open_notebook(course_browser, lab, LESSON)
    course_steps.shot(page, "lesson open")
    stub = cell(page, "def parse_count(text):")
    stub.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(SOLUTION)
    course_steps.shot(page, "solution typed")
    page.get_by_role("menuitem", name="Run").click()
    page.get_by_role("menuitem", name=re.compile("^Run All Cells")).click()

    check = cell(page, "parsing.check()").locator(".jp-OutputArea")
    expect(check).to_contain_text(
        re.compile(r"m1-parsing: (\d+) of \1 tests passed"), timeout=120_000
    )
    course_steps.shot(page, "check passed")
    progress = cell(page, "progress()").locator(".jp-OutputArea")
    expect(progress).to_contain_text(re.compile(r"exercises 1 passed of \d+ tried"), timeout=60_000)
    course_steps.shot(page, "progress")
    page.context.close()


def test_two_people_co_edit_a_group_notebook(
    course_browser: Any, lab: CollabServer, course_steps: Steps
) -> None:
    from playwright.sync_api import expect

    ada = open_notebook(course_browser, lab, GROUP)
    grace = open_notebook(course_browser, lab, GROUP)
    first = ".jp-NotebookPanel:visible .jp-CodeCell .cm-content"
    ada.locator(first).first.click()
    ada.keyboard.press("Control+End")
    ada.keyboard.insert_text("\n# ada was here")
    expect(grace.locator(first).first).to_contain_text("# ada was here", timeout=30_000)
    grace.locator(first).first.click()
    grace.keyboard.press("Control+End")
    grace.keyboard.insert_text("\n# grace too")
    expect(ada.locator(first).first).to_contain_text("# grace too", timeout=30_000)
    course_steps.shot(ada, "ada's view")
    course_steps.shot(grace, "grace's view")
    ada.context.close()
    grace.context.close()
