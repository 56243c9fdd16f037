"""Voila pages as ``course present`` and ``course serve`` serve them, with the network cut.

Every presentation app (``course present`` and under the course server), the slides
and the instructor dashboard render fully in Chromium, fetch nothing from outside,
and pass axe-core with no serious or critical violation. An app's widgets react.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from course.plan import Course
from course.present.process import running_voila
from course.testing import free_port
from course.testing.browser import Steps
from tests.browser.helpers import assert_offline_and_accessible, open_offline
from tests.present.conftest import VoilaFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DASHBOARD = "notebooks/instructor/dashboard.ipynb"


def apps(course: Course) -> list[str]:
    return [m.live.present for m in course.modules if m.live and m.live.present]


def rendered(page: Any) -> None:
    """Voila shows the cells once every one has run (the spinner goes)."""
    page.locator("#rendered_cells").wait_for(state="visible", timeout=180_000)
    page.wait_for_load_state("networkidle")


def test_every_app_and_the_dashboard_under_course_present(
    course_browser: Any, course: Course, present_voila: VoilaFactory, course_steps: Steps
) -> None:
    for notebook in [*apps(course), DASHBOARD]:
        with present_voila(course, notebook, pool=0) as url:
            page, offline, errors = open_offline(course_browser, url)
            rendered(page)
            course_steps.shot(page, notebook)
            assert_offline_and_accessible(page, offline, errors)
            page.context.close()


def test_an_app_reacts_to_its_widget(
    course_browser: Any, course: Course, present_voila: VoilaFactory, course_steps: Steps
) -> None:
    with present_voila(course, "notebooks/apps/01-functions.ipynb", pool=0) as url:
        page, offline, errors = open_offline(course_browser, url)
        rendered(page)
        table = page.locator("table").first
        before = table.inner_text()
        page.get_by_role("combobox", name="function").select_option("double")
        page.wait_for_function(
            "before => { const t = document.querySelector('table'); "
            "return t !== null && t.innerText !== before; }",
            arg=before,
        )
        course_steps.shot(page, "after choosing double")
        assert "2" in table.inner_text() and table.inner_text() != before
        assert offline.refused == [] and errors == []
        page.context.close()


def test_the_slides_render_offline_and_accessibly(
    course_browser: Any, course: Course, present_voila: VoilaFactory, course_steps: Steps
) -> None:
    with present_voila(course, "notebooks/01-foundations.ipynb", slides=True) as url:
        page, offline, errors = open_offline(course_browser, url)
        rendered(page)
        page.locator(".reveal .slides section").first.wait_for()
        course_steps.shot(page, "first slide")
        styled = page.evaluate("getComputedStyle(document.querySelector('.reveal')).position")
        assert styled == "relative", "reveal.js's styles did not load"
        assert_offline_and_accessible(page, offline, errors)
        page.context.close()


def test_apps_under_course_serve(
    course_browser: Any, course: Course, tmp_path: Path, course_steps: Steps, monkeypatch: Any
) -> None:
    port, token = free_port(), "apps-under-course-serve"
    monkeypatch.setenv("JUPYTER_TOKEN", token)
    command = [
        str(Path(sys.executable).parent / "course"),
        "--course",
        str(course.root),
        "serve",
        "--port",
        str(port),
        "--no-browser",
    ]
    base = f"http://127.0.0.1:{port}/"
    with running_voila(command, base + "login", log=tmp_path / "serve.log", status=False):
        for notebook in apps(course):
            url = f"{base}voila/render/{notebook}?token={token}"
            page, offline, errors = open_offline(course_browser, url)
            rendered(page)
            course_steps.shot(page, notebook)
            assert_offline_and_accessible(page, offline, errors)
            page.context.close()
