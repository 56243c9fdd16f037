"""A visitor who leaves a Voila app frees its kernel, in real Chromium.

Voila's page shuts its kernel down from ``beforeunload`` with a POST carrying the
``_xsrf`` cookie; without that cookie the POST was refused (403) and every closed
tab or reload kept its kernel, until the room was "full" for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from course.plan import Course
from course.testing import CourseCommand, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]

APP = "notebooks/apps/01-functions.ipynb"
WIDGET = ".widget-dropdown select"  # the app's "function" dropdown: its kernel is connected
RENDER = 180_000  # ms: a render on a loaded 2-core machine


def eventually(value: Callable[[], Any], expected: Any, timeout: float = 20) -> Any:
    """Poll ``value()`` until it equals ``expected``; returns the last value seen."""
    deadline = time.monotonic() + timeout
    while (seen := value()) != expected and time.monotonic() < deadline:
        time.sleep(0.25)
    return seen


def status(url: str) -> dict[str, Any]:
    return httpx.get(url + "course/present/status", timeout=10).json()


def test_closing_voila_tabs_shuts_their_kernels_down(
    course: Course, present_voila: Any, course_browser: Any
) -> None:
    with present_voila(course, APP, pool=0, max_kernels=4) as url:
        context = course_browser.new_context()
        tabs = [context.new_page() for _ in range(2)]
        for tab in tabs:
            tab.goto(url, timeout=RENDER)
            tab.wait_for_selector(WIDGET, timeout=RENDER)
        held = status(url)["kernels"]
        for tab in tabs:
            tab.close(run_before_unload=True)
        left = eventually(lambda: status(url)["kernels"], 0)
        context.close()

    assert held == 2
    assert left == 0


def test_reloading_past_the_cap_is_still_served(
    course: Course, present_voila: Any, course_browser: Any
) -> None:
    with present_voila(course, APP, pool=0, max_kernels=2) as url:
        context = course_browser.new_context()  # kept open: a tab closes, not the whole browser
        tab = context.new_page()
        answers = [tab.goto(url, timeout=RENDER).status]
        tab.wait_for_selector(WIDGET, timeout=RENDER)
        for _ in range(5):  # each reload leaves a kernel behind unless the page frees it
            answers.append(tab.reload(timeout=RENDER).status)
            if answers[-1] != 200:
                break  # "the room is full": no app to wait for
            tab.wait_for_selector(WIDGET, timeout=RENDER)
        tab.close(run_before_unload=True)
        left = eventually(lambda: status(url)["kernels"], 0)
        context.close()

    assert answers == [200] * 6
    assert left == 0


def test_a_closed_tab_of_an_app_under_course_serve_frees_its_kernel(
    sample_course: Path, course_browser: Any
) -> None:
    port, token = free_port(), "kernel-shutdown-test-token"
    base = f"http://127.0.0.1:{port}/"
    auth = {"Authorization": f"token {token}"}
    args = ("serve", "--no-browser", "--port", str(port))
    with CourseCommand(sample_course, *args, env={"JUPYTER_TOKEN": token}) as command:
        command.wait_for("Instructor (live sessions)")
        context = course_browser.new_context()  # a fresh browser: no cookie from JupyterLab
        tab = context.new_page()
        tab.goto(f"{base}voila/render/{APP}?token={token}", timeout=RENDER)
        tab.wait_for_selector(WIDGET, timeout=RENDER)
        held = len(httpx.get(base + "api/kernels", headers=auth).json())
        tab.close(run_before_unload=True)
        left = eventually(lambda: len(httpx.get(base + "api/kernels", headers=auth).json()), 0)
        context.close()

    assert held == 1
    assert left == 0
