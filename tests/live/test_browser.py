"""The live pages in Debian's chromium: a participant on a phone answers, the projector updates.

Screenshots go to the test's tmp folder, or to ``$COURSE_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from course.testing import CourseServer
from tests.live.helpers import open_poll

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_phone_participant_answers_and_presenter_chart_updates_without_reload(
    course_browser: Any,
    live_server: CourseServer,
    instructor: httpx.Client,
    live_session: dict[str, Any],
    shots: Path,
) -> None:
    from playwright.sync_api import expect

    sid = live_session["id"]
    errors: list[str] = []

    presenter_context = course_browser.new_context(viewport=PROJECTOR)
    presenter = presenter_context.new_page()
    presenter.on("pageerror", lambda error: errors.append(f"presenter: {error}"))
    presenter.goto(
        f"{live_server.url}/course/live/sessions/{sid}/present?token={live_server.token}"
    )
    expect(presenter.locator("#connection")).to_have_text("live")
    expect(presenter.locator(".joinbox svg.qr")).to_be_visible()
    presenter.evaluate("window.__notReloaded = true")

    phone_context = course_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.on("pageerror", lambda error: errors.append(f"phone: {error}"))
    phone.goto(f"{live_server.url}/course/live/join")
    phone.get_by_label("Join code").fill(live_session["join_code"].lower())
    phone.keyboard.press("Enter")  # keyboard only: Enter submits the code step
    phone.get_by_label("Your name").fill("Grace <b>Hopper</b>")
    phone.get_by_role("button", name="Join").click()
    phone.wait_for_url(re.compile(rf"/course/live/s/{sid}$"))
    expect(phone.locator("#connection")).to_have_text("live")
    expect(phone.locator("#who")).to_have_text("Grace <b>Hopper</b>")  # shown as text
    expect(presenter.locator("#joined")).to_have_text("1")

    open_poll(instructor, live_session, "m1-types")
    question = "Which type does 3 / 2 produce?"
    expect(phone.locator("#poll-question")).to_have_text(question)  # arrived over the socket
    expect(presenter.locator("#poll-question")).to_have_text(question)
    expect(presenter.locator("#poll-meta")).to_contain_text("0 answers")

    phone.get_by_label("float").check()
    phone.get_by_role("button", name="Send answer").click()
    expect(phone.locator("#poll-status")).to_contain_text("Answer sent")
    phone.screenshot(path=shots / "participant-phone.png", full_page=True)

    expect(presenter.locator("#chart")).to_have_attribute("data-answers", "1")
    expect(presenter.locator("#poll-meta")).to_contain_text("1 answer ")
    float_row = presenter.locator("#chart g.row").nth(1)
    expect(float_row.locator("text.count")).to_have_text("1 · 100%")
    expect(presenter.locator("#chart g.row").nth(0).locator("text.count")).to_have_text("0 · 0%")
    assert presenter.evaluate("window.__notReloaded") is True  # the same page, updated live
    widths = presenter.eval_on_selector_all(
        "#chart rect.bar", "bars => bars.map(b => b.getBBox().width)"
    )
    assert widths[1] > 10 * widths[0], widths  # the answered option's bar is the long one
    presenter.screenshot(path=shots / "presenter.png", full_page=True)

    stored = instructor.get(f"/course/api/live/sessions/{sid}/export.csv").text
    assert "Grace <b>Hopper</b>" in stored and ",float," in stored
    assert errors == []
    phone_context.close()
    presenter_context.close()


def test_instructor_starts_a_session_and_its_controls_reach_phone(
    course_browser: Any, live_server: CourseServer, shots: Path
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    desk_context = course_browser.new_context(viewport={"width": 1280, "height": 900})
    desk = desk_context.new_page()
    desk.on("pageerror", lambda error: errors.append(f"control: {error}"))
    desk.goto(f"{live_server.url}/course/live/?token={live_server.token}")
    desk.get_by_label("Module").select_option("m1")
    desk.get_by_label("Title (optional)").fill("Thursday <lab>")
    desk.get_by_role("button", name="Start session").click()  # a POST with the XSRF token
    desk.wait_for_url(re.compile(r"/course/live/sessions/\d+/control$"))
    sid = int(desk.url.split("/")[-2])
    expect(desk.locator("#title")).to_have_text("Thursday <lab>")
    expect(desk.locator("#connection")).to_have_text("live")
    expect(desk.locator("#polls li")).to_have_count(5)
    live_session = {"id": sid, "join_code": desk.locator("header .code").inner_text()}

    phone_context = course_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.on("pageerror", lambda error: errors.append(f"phone: {error}"))
    phone.goto(f"{live_server.url}/course/live/join?code={live_session['join_code']}")
    phone.screenshot(path=shots / "join-phone.png", full_page=True)
    expect(phone.get_by_label("Your name")).to_be_focused()  # the code came with the link
    phone.get_by_label("Join anonymously (no name)").check()
    phone.get_by_role("button", name="Join").click()
    phone.wait_for_url(re.compile(rf"/course/live/s/{sid}$"))
    expect(phone.locator("#who")).to_have_text("anonymous")
    expect(desk.locator("#joined")).to_have_text("1")

    desk.get_by_role("button", name="Next poll").click()  # opens the first draft poll
    expect(phone.locator("#poll-question")).to_have_text("Which type does 3 / 2 produce?")
    phone.get_by_label("int").check()
    phone.get_by_role("button", name="Send answer").click()
    expect(phone.locator("#poll-status")).to_contain_text("Answer sent")
    expect(desk.locator("#polls li").first).to_contain_text("single · 1 answer ")

    phone.get_by_label("Ask a question").fill("Why is 3 / 2 not 1? <script>")
    phone.get_by_role("button", name="Post question").click()
    expect(desk.locator("#questions li .text")).to_have_text("Why is 3 / 2 not 1? <script>")

    desk.get_by_role("button", name="Reveal: Which type does 3 / 2 produce?").click()
    expect(phone.locator("#poll-result .reveal")).to_have_text("Correct: float")
    expect(desk.locator("#polls li").first).to_contain_text("open · revealed")
    expect(desk.locator("#chart g.row.correct text.label")).to_have_text(re.compile("^✓ float"))
    desk.get_by_role("button", name="Close: Which type does 3 / 2 produce?").click()
    expect(phone.locator("#poll-status")).to_have_text("This poll is closed.")
    expect(phone.locator("input[name=answer]").first).to_be_disabled()
    desk.screenshot(path=shots / "control.png", full_page=True)
    phone.screenshot(path=shots / "participant-revealed.png", full_page=True)

    desk.get_by_role("button", name="End session").click()
    expect(phone.locator("#ended")).to_have_text(re.compile("This session has ended"))
    expect(phone.locator("#connection")).to_have_text("ended")
    expect(phone.locator("#ask-form")).to_be_hidden()
    expect(phone.locator("#poll-waiting")).to_be_hidden()
    assert errors == []
    phone_context.close()
    desk_context.close()


def test_the_instructor_approves_and_hides_words_before_the_projector_shows_them(
    course_browser: Any,
    live_server: CourseServer,
    instructor: httpx.Client,
    live_session: dict[str, Any],
    join: Any,
    shots: Path,
) -> None:
    from playwright.sync_api import expect

    sid, errors = live_session["id"], []
    pages = []
    for path in ("control", "present"):
        context = course_browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        page.on("pageerror", lambda error, path=path: errors.append(f"{path}: {error}"))
        page.goto(f"{live_server.url}/course/live/sessions/{sid}/{path}?token={live_server.token}")
        expect(page.locator("#connection")).to_have_text("live")
        pages.append((context, page))
    (_, desk), (_, wall) = pages
    poll = open_poll(instructor, live_session, "m1-muddiest")
    url = f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}"
    for name, text in (("Ada", "recursion is rubbish"), ("Bo", "recursion")):
        assert join(live_session, name).put(url, json={"value": text}).status_code == 200
    desk.get_by_role("button", name=poll["question"], exact=True).click()
    expect(desk.locator("#pending-words li")).to_have_count(2)
    expect(wall.locator("#chart")).to_have_attribute("data-answers", "2")
    expect(wall.locator("#chart g.row")).to_have_count(0)  # nothing approved: nothing shown

    desk.get_by_role("button", name="Hide: rubbish").click()
    desk.get_by_role("button", name="Approve: recursion").click()
    expect(wall.locator("#chart g.row")).to_have_count(1)
    expect(wall.locator("#chart g.row text.label")).to_contain_text("recursion")
    expect(desk.locator("#hidden-words li .text")).to_have_text(["rubbish (1) "])
    assert "rubbish" not in wall.locator("#chart").inner_html()
    desk.screenshot(path=shots / "control-words.png", full_page=True)
    wall.screenshot(path=shots / "presenter-words.png", full_page=True)
    assert errors == []
    for context, _ in pages:
        context.close()
