"""In Debian's chromium: a learner scans their card (the sign-in URL with their code), lands in
their own JupyterLab with lesson 1 open, runs it (its checks included) and sees their own
progress; another learner's progress stays empty.

Screenshots go to the test's tmp folder, or to ``$COURSE_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from course.identity.sheet import signin_url
from course.learn.events import EventLog
from course.record.events import read_events
from tests.identity.conftest import Class

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_learner_signs_in_runs_lesson_one_and_sees_their_progress(
    course_browser: Any, classroom: Class, shots: Path
) -> None:
    from playwright.sync_api import expect

    page = course_browser.new_page(viewport={"width": 1400, "height": 900})
    refused: list[str] = []
    page.on("response", lambda r: r.status == 403 and refused.append(r.url))
    page.goto(signin_url(classroom.server.url, classroom.codes["ada"]))  # what the QR code holds
    page.wait_for_url(
        "**/lab/workspaces/ada/tree/var/workspaces/ada/notebooks/01-foundations.ipynb"
    )
    notebook = page.locator(".jp-NotebookPanel")
    expect(notebook).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
    page.screenshot(path=shots / "1-lesson-open.png")

    page.locator(".jp-Notebook").click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    progress = page.locator(".jp-Cell").last.locator(".jp-OutputArea-output")
    expect(progress).to_contain_text(
        "Your progress in Data Analysis with Python (ada)", timeout=120_000
    )
    expect(progress).to_contain_text("m1 Python foundations: done")
    expect(progress).to_contain_text("exercises 0 passed of 6 tried")
    expect(progress).not_to_contain_text("wait to be sent")  # the server has them all
    check = page.locator(".jp-Cell", has_text="parsing.check()").locator(".jp-OutputArea-output")
    expect(check).to_contain_text("m1-parsing")
    page.screenshot(path=shots / "2-progress.png", full_page=True)

    workspaces = classroom.course.data_path / "workspaces"
    mine = EventLog(workspaces / "ada" / ".course").read()
    assert {e["actor"]["account"]["name"] for e in mine} == {"ada"}
    assert "checked" in {e["verb"]["display"]["en"] for e in mine}
    assert EventLog(workspaces / "grace" / ".course").read() == []
    on_server = {e.id: e.learner for e in read_events(classroom.course)}
    assert {on_server[e["id"]] for e in mine} == {"ada"}
    # refused and harmless: the list of everyone's JupyterLab layouts, the language servers
    refused_paths = {url.split("?")[0].split("/", 3)[3] for url in refused}
    assert refused_paths <= {"lab/api/workspaces", "lsp/status"}
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in menus and "Run" in menus
    page.close()
