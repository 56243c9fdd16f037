"""A Binder launch reproduced from binder/ alone, as repo2docker builds it.

The repository's files in a fresh folder, a fresh virtual environment,
``pip install -r binder/requirements.txt``, ``binder/postBuild``, then ``jupyter lab``
in the repository: the server a learner gets on Binder must be the course server.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from course.plan import load_course
from course.record.events import read_events
from course.testing.binder import BinderBuild
from course.testing.kernel import run_cells

pytestmark = pytest.mark.slow

SERVER_EXTENSIONS = [
    "course.live",
    "jupyterlab",
    "jupyter_server_ydoc",
    "voila.server_extension",
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
]
LAB_EXTENSIONS = [
    "@jupyter/collaboration-extension",
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/jupyterlab-preview",
]
LESSON = "notebooks/01-foundations.ipynb"
APP = "notebooks/apps/01-functions.ipynb"


def plain(text: str) -> str:
    """Without the terminal colours Jupyter's extension lists print."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_every_extension_is_enabled(course_binder: BinderBuild) -> None:
    server = plain(course_binder.run("jupyter", "server", "extension", "list"))
    listed = plain(course_binder.run("jupyter", "labextension", "list"))
    for name in SERVER_EXTENSIONS:
        assert re.search(rf"{re.escape(name)}\s.*enabled", server), (name, server)
    for name in LAB_EXTENSIONS:
        assert re.search(rf"{re.escape(name)} v\S+ enabled\s+OK", listed), (name, listed)


def test_the_course_extension_answers(course_binder: BinderBuild) -> None:
    with course_binder.client() as client:
        assert client.get("/course/live/join").status_code == 200
        modules = client.get("/course/api/live/modules").json()
    assert [m["id"] for m in modules] == ["m1", "m2", "m3"]


def test_a_lesson_check_records_an_event(course_binder: BinderBuild) -> None:
    lesson = nbformat.read(course_binder.repo / LESSON, as_version=4)
    code = [cell.source for cell in lesson.cells if cell.cell_type == "code"]
    first_check = next(i for i, source in enumerate(code) if source.endswith(".check()"))
    ran = run_cells(course_binder.url, course_binder.token, LESSON, code[: first_check + 1])
    assert all(cell.status == "ok" for cell in ran), [cell.error for cell in ran]
    course = load_course(course_binder.repo)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(event.exercise == "m1-parsing" for event in read_events(course)):
            return
        time.sleep(0.5)
    raise AssertionError(f"no check event in the course's store: {read_events(course)}")


def test_a_voila_app_renders(course_binder: BinderBuild) -> None:
    with course_binder.client() as client:
        page = client.get(f"/voila/render/{APP}", timeout=120)
    assert page.status_code == 200
    assert "application/vnd.jupyter.widget-view+json" in page.text
