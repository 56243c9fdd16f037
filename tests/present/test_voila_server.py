"""A real Voila server (``course present``'s command) on loopback, rendering the sample apps."""

from __future__ import annotations

import httpx
import pytest

from course.plan import Course
from course.present.synthetic import random_class, write_class
from course.testing.voila import render
from tests.present.voila_client import KernelChannel, cell_outputs, error_outputs, kernel_id

pytestmark = pytest.mark.slow

APPS = [
    "notebooks/apps/01-functions.ipynb",
    "notebooks/apps/02-grouping.ipynb",
    "notebooks/apps/03-charts.ipynb",
]


def html_outputs(messages: list[dict]) -> str:
    return "".join(
        m["content"]["data"].get("text/html", "")
        for m in messages
        if m["msg_type"] in ("display_data", "execute_result")
    )


@pytest.mark.parametrize("app", APPS)
def test_every_app_renders_without_error_output(course: Course, present_voila, app: str) -> None:
    with present_voila(course, app, pool=0) as url:
        page = render(url)
    assert page.status_code == 200
    assert page.text.rstrip().endswith("</html>")
    assert error_outputs(page.text) == []
    widgets = [o for o in cell_outputs(page.text) if "data" in o]
    assert any("application/vnd.jupyter.widget-view+json" in o["data"] for o in widgets)
    assert f'<p class="course-title">{course.title}</p>' in page.text


def test_changing_a_widget_changes_the_apps_output(course: Course, present_voila) -> None:
    with present_voila(course, APPS[0], pool=1) as url:
        page = render(url)
        channel = KernelChannel(url, kernel_id(page.text))
        try:
            states = channel.widget_states()
            dropdown = next(c for c, s in states.items() if s.get("description") == "function")
            assert states[dropdown]["index"] == 1  # square
            doubled = html_outputs(channel.set_widget(dropdown, index=0))  # double
            squared = html_outputs(channel.set_widget(dropdown, index=1))  # square again
        finally:
            channel.close()
    assert "def double(x)" in doubled and "def square(x)" not in doubled
    assert "def square(x)" in squared


def test_preheated_page_comes_from_the_pool(course: Course, present_voila) -> None:
    with present_voila(course, APPS[1], pool=1) as url:
        before = httpx.get(url + "course/present/status").json()
        page = render(url)
        assert page.status_code == 200 and error_outputs(page.text) == []
    assert before["pool_ready"] == 1
    assert "Tabular data with pandas (m2)" in page.text


def test_a_full_room_answers_a_retrying_page_until_a_seat_is_free(
    course: Course, present_voila
) -> None:
    with present_voila(course, APPS[0], pool=0, max_kernels=1) as url, httpx.Client() as web:
        first = web.get(url, timeout=120)
        full = web.get(url, timeout=30)
        # What the page's beforeunload sends: the _xsrf cookie the page got, as a form field.
        xsrf = web.cookies.get("_xsrf")
        shutdown = web.post(
            f"{url}voila/api/shutdown/{kernel_id(first.text)}", data={"_xsrf": xsrf or ""}
        )
        again = web.get(url, timeout=120)
    assert first.status_code == 200
    assert full.status_code == 503
    assert full.headers["Retry-After"] == "5"
    assert "The room is full, retrying" in full.text
    assert '<meta http-equiv="refresh" content="5">' in full.text
    assert shutdown.status_code == 204
    assert again.status_code == 200


def test_slides_render_as_a_reveal_deck(course: Course, present_voila) -> None:
    with present_voila(course, APPS[2], slides=True) as url:
        page = render(url)
    assert page.status_code == 200 and error_outputs(page.text) == []
    assert 'class="reveal"' in page.text
    assert "Visualising and communicating data (m3)" in page.text


@pytest.mark.parametrize("learners", [0, 8], ids=["empty course", "synthetic class"])
def test_dashboard_renders_without_error_output(
    course: Course, present_voila, learners: int
) -> None:
    if learners:
        write_class(course, random_class(course, size=learners, seed=2))
    with present_voila(course, "notebooks/instructor/dashboard.ipynb", pool=0) as url:
        page = render(url)
    assert page.status_code == 200 and error_outputs(page.text) == []
    assert f"{learners} learners" in page.text
    if learners:  # the class record's item analysis, the numbers of course report
        assert "discrimination" in page.text and "most common error" in page.text
