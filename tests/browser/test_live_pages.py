"""The live-session pages the course extension serves, with the network cut off.

Index, control and presenter pages (the instructor's), the join and participant pages
(a phone's), each with a poll open: every page renders, fetches nothing from outside
and passes axe-core with no serious or critical violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from course.testing import CourseServer
from course.testing.browser import Steps
from tests.browser.helpers import PHONE, assert_offline_and_accessible, open_offline
from tests.live.helpers import open_poll

pytestmark = pytest.mark.browser


@pytest.fixture
def session(course_server: CourseServer) -> Iterator[dict[str, Any]]:
    with course_server.instructor() as instructor:
        made = instructor.post("/course/api/live/sessions", json={"module": "m1"})
        assert made.status_code == 201, made.text
        session = made.json()
        open_poll(instructor, session, "m1-types")
        yield session


def test_instructor_pages_offline_and_accessible(
    course_browser: Any, course_server: CourseServer, session: dict[str, Any], course_steps: Steps
) -> None:
    token, sid = course_server.token, session["id"]
    for name in ("", f"sessions/{sid}/control", f"sessions/{sid}/present"):
        url = f"{course_server.url}/course/live/{name}?token={token}"
        page, offline, errors = open_offline(course_browser, url)
        page.wait_for_load_state("networkidle")
        course_steps.shot(page, name or "index")
        assert_offline_and_accessible(page, offline, errors)
        page.context.close()


def test_participant_pages_offline_and_accessible_on_a_phone(
    course_browser: Any, course_server: CourseServer, session: dict[str, Any], course_steps: Steps
) -> None:
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    page, offline, errors = open_offline(
        course_browser, f"{course_server.url}/course/live/join", **phone
    )
    course_steps.shot(page, "join")
    assert_offline_and_accessible(page, offline, errors)
    page.get_by_label("Join code").fill(session["join_code"])
    page.keyboard.press("Enter")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"**/course/live/s/{session['id']}")
    page.locator("#poll-question").filter(has_text="?").wait_for()
    course_steps.shot(page, "participant")
    assert_offline_and_accessible(page, offline, errors)
    page.context.close()


def test_a_participant_cannot_open_the_instructor_pages(
    course_server: CourseServer, session: dict[str, Any]
) -> None:
    with httpx.Client(base_url=course_server.url) as stranger:
        page = stranger.get(f"/course/live/sessions/{session['id']}/control")
    assert page.status_code in (302, 403)
