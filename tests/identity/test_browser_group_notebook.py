"""In Debian's Chromium: two phone-sized participants join with the code, open their
group's notebook from the participant page, see each other's typing, and when one runs a
cell both see its output, in the group's confined kernel on a real course server. Then
both open the session's presentation app from the same page (``course.live.apps``: the
kit's Voila on a port of its own) and each moves a slider and sees the app's output change.

Screenshots go to the test's tmp folder, or to ``$COURSE_SCREENSHOTS`` when it is set; the
app's pages are also shot there when a step with them fails.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
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


def open_app(page: Any) -> Any:
    """Tap "Open the app" on the participant page (a new tab) and wait for the app's widgets.

    The course server starts the app on the first participant's request, which takes tens
    of seconds on a loaded machine: hence the long, but bounded, waits."""
    from playwright.sync_api import expect

    link = page.get_by_role("link", name="Open the app")
    expect(link).to_be_visible(timeout=120_000)
    with page.context.expect_page(timeout=30_000) as opened:
        link.click()
    app = opened.value
    expect(app.get_by_role("heading", name=re.compile("How a function maps"))).to_be_visible(
        timeout=120_000
    )
    expect(app.locator(".widget-slider").first).to_be_visible(timeout=120_000)
    expect(app.locator("pre", has_text="outputs = [")).to_be_visible(timeout=120_000)
    return app


@contextmanager
def shot_on_failure(folder: Path, pages: dict[str, Any]) -> Iterator[None]:
    """Screenshots of ``pages`` (name -> page, read when the block fails, so pages opened
    inside it are shot too) in ``folder`` if the block fails."""
    try:
        yield
    except BaseException:
        for name, page in pages.items():
            if page is not None and not page.is_closed():
                page.screenshot(path=folder / f"failed-{name}.png", full_page=True)
        raise


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
    failed: list[str] = []  # every answer >= 400 on either phone
    errors: list[tuple[Any, str]] = []  # (page, error) of every tab a phone opens
    notebooks = []
    for phone in phones:
        phone.context.on("response", lambda r: r.status == 403 and refused.append(r.url))
        phone.context.on("response", lambda r: r.status >= 400 and failed.append(r.url))
        phone.context.on("page", lambda p: p.on("pageerror", lambda e, p=p: errors.append((p, e))))
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

    # The session's app (course.yml: m1's live.present), opened from the participant page.
    apps = both_open_the_app_and_move_a_slider(phones, shots)
    origin = re.match(r"https?://[^/]+/", apps[0].url)
    assert origin is not None and not apps[0].url.startswith(server.url), apps[0].url
    assert [url for url in failed if url.startswith(origin[0])] == []  # the app's door
    assert [str(e) for p, e in errors if p in apps] == []

    with server.instructor() as boss:  # the session ends: the notebook is a download now
        ended = boss.patch(f"/course/api/live/sessions/{session['id']}", json={"state": "ended"})
        assert ended.status_code == 200
    phone = phones[0]
    download = phone.get_by_role("link", name="Download the group notebook")
    expect(download).to_be_visible(timeout=30_000)
    expect(phone.get_by_role("link", name="Open the group notebook")).to_be_hidden()
    with phone.expect_download() as saved:
        download.click()
    notebook = json.loads(Path(saved.value.path()).read_text())
    sources = ["".join(c["source"]) for c in notebook["cells"]]
    assert any("# Ada" in s and "# and Grace" in s for s in sources), sources[:4]
    for page in phones:
        page.context.close()


def both_open_the_app_and_move_a_slider(phones: list[Any], shots: Path) -> list[Any]:
    """Both phones tap "Open the app"; each moves a slider; the two app tabs."""
    shown = {"ada-participant-page": phones[0], "grace-participant-page": phones[1]}
    with shot_on_failure(shots, shown):
        shown["ada-app"] = open_app(phones[0])
        shown["grace-app"] = open_app(phones[1])
        move_the_inputs_slider(shown["ada-app"], shown["grace-app"])
    shown["ada-app"].screenshot(path=shots / "3-ada-moved-the-slider.png")
    return [shown["ada-app"], shown["grace-app"]]


def assert_sliders_fit_the_phone(app: Any) -> None:
    """Every slider's track is on the screen and wide enough to drag a handle along (the
    widgets of one row wrap on a phone instead of squeezing a track to nothing)."""
    tracks = app.locator(".widget-hslider .noUi-target")
    assert tracks.count() >= 2
    for index in range(tracks.count()):
        box = tracks.nth(index).bounding_box()
        assert box is not None
        assert box["width"] >= 150, (index, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (index, box)


def move_the_inputs_slider(ada: Any, grace: Any) -> None:
    """Each phone moves the app's "inputs x from" range slider and sees the code, the table
    and the chart follow, in its own kernel: one phone's move leaves the other's app as it
    was. Ada drags the lower handle 30 px (a mouse drag: noUiSlider takes touch and mouse
    through the same pointer events); Grace focuses the upper handle and presses the
    arrow key, as a keyboard user would."""
    from playwright.sync_api import expect

    for app in (ada, grace):  # the app as it opens: inputs -3 to 6, sliders that fit
        expect(app.locator("pre", has_text="range(-3, 7)")).to_be_visible(timeout=30_000)
        assert_sliders_fit_the_phone(app)
    before = ada.locator("img[alt*='Scatter chart']").get_attribute("alt")
    assert before is not None and "for x from -3 to 6" in before, before

    inputs = ada.locator(".widget-hslider", has_text="inputs x from")
    lower = inputs.locator(".noUi-handle-lower")
    lower.scroll_into_view_if_needed()
    box = lower.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    ada.mouse.move(x, y)
    ada.mouse.down()
    ada.mouse.move(x + 30, y, steps=5)
    ada.mouse.up()
    start = float(lower.get_attribute("aria-valuenow") or "nan")
    assert -3 < start < 6, start  # a short drag moves it a few steps, not to the end
    assert inputs.locator(".noUi-handle-upper").get_attribute("aria-valuenow") == "6.0"
    # the code, the table and the chart follow the handle to where it was let go
    expect(ada.locator("pre", has_text=f"range({start:.0f}, 7)")).to_be_visible(timeout=30_000)
    expect(ada.locator("table")).not_to_contain_text("-3", timeout=30_000)
    chart = ada.locator(f"img[alt*='for x from {start:.0f} to 6']")
    expect(chart).to_be_visible(timeout=30_000)
    expect(grace.locator("pre", has_text="range(-3, 7)")).to_be_visible()  # her own kernel

    upper = grace.locator(".widget-hslider", has_text="inputs x from").locator(".noUi-handle-upper")
    upper.focus()
    grace.keyboard.press("ArrowLeft")
    expect(grace.locator("pre", has_text="range(-3, 6)")).to_be_visible(timeout=30_000)
    chart = grace.locator("img[alt*='for x from -3 to 5']")
    expect(chart).to_be_visible(timeout=30_000)
