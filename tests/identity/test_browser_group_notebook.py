"""In Debian's Chromium: two phone-sized participants join with the code, open their
group's notebook from the participant page, see each other's typing, and when one runs a
cell both see its output, in the group's confined kernel on a real course server.

Screenshots go to the test's tmp folder, or to ``$COURSE_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.plan import load_course
from course.testing.classroom import ClassroomServer
from tests.sample import copy_sample_course

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
# refused and harmless: JupyterLab asks for the list of every layout and the global
# awareness room (who is online anywhere on the server); neither is a participant's
HARMLESS = {"lab/api/workspaces", "api/collaboration/room/JupyterLab:globalAwareness", "lsp/status"}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassroomServer]:
    course = load_course(copy_sample_course(tmp_path_factory.mktemp("phones") / "course"))
    process = ClassroomServer(course)
    process.start(timeout=120)
    yield process
    process.interrupt()


def join_on_phone(browser: Any, server: ClassroomServer, code: str, name: str) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/course/live/join?code={code}")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(r"/course/live/s/\d+$"))
    return page


def open_notebook(page: Any) -> Any:
    """Tap "Open the group notebook" (a new tab) and wait for the notebook."""
    from playwright.sync_api import expect

    link = page.get_by_role("link", name="Open the group notebook")
    expect(link).to_be_visible(timeout=30_000)
    with page.context.expect_page() as opened:
        link.click()
    notebook = opened.value
    expect(notebook.locator(".jp-NotebookPanel")).to_be_visible(timeout=90_000)
    heading = notebook.get_by_role("heading", name=re.compile("the step challenge"))
    expect(heading).to_be_visible(timeout=60_000)
    return notebook


def type_in_first_code_cell(page: Any, text: str) -> None:
    editor = page.locator(".jp-CodeCell .cm-content").first
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_two_phones_share_the_group_notebook_and_its_output(
    course_browser: Any, server: ClassroomServer, shots: Path
) -> None:
    from playwright.sync_api import expect

    with server.instructor() as boss:
        session = boss.post("/course/api/live/sessions", json={"module": "m1"}).json()
    phones = [
        join_on_phone(course_browser, server, session["join_code"], name)
        for name in ("Ada", "Grace")
    ]
    with server.instructor() as boss:
        formed = boss.post(f"/course/api/live/sessions/{session['id']}/groups", json={"count": 1})
        assert formed.status_code == 200, formed.text
    refused: list[str] = []
    notebooks = []
    for phone in phones:
        phone.context.on("response", lambda r: r.status == 403 and refused.append(r.url))
        notebooks.append(open_notebook(phone))
    ada, grace = notebooks
    ada.screenshot(path=shots / "1-ada-notebook.png")

    type_in_first_code_cell(ada, "\nprint(sum(steps['Ana']) > 0, 6 * 7)  # Ada")
    first_cell = grace.locator(".jp-CodeCell").first
    expect(first_cell).to_contain_text("# Ada", timeout=30_000)  # Ada's typing on Grace's phone
    type_in_first_code_cell(grace, "  # and Grace")
    expect(ada.locator(".jp-CodeCell").first).to_contain_text("# and Grace", timeout=30_000)

    ada.keyboard.press("Shift+Enter")  # run the shared cell in the group's kernel
    for page in (ada, grace):
        output = page.locator(".jp-CodeCell").first.locator(".jp-OutputArea-output")
        expect(output).to_contain_text("True 42", timeout=120_000)
    grace.screenshot(path=shots / "2-grace-sees-output.png")

    me = ada.evaluate("async () => (await (await fetch('/api/me')).json()).identity")
    assert (me["display_name"], me["username"]) == ("Ada", "participant-1"), me
    paths = {url.split("?")[0].split("/", 3)[3] for url in refused}
    assert paths <= HARMLESS, paths
    for page in phones:
        page.context.close()
