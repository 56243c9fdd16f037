"""The course server saves the course's own notebooks without outputs, other notebooks as they are.

Trying a lesson in JupyterLab used to fill the tracked file with outputs (and fail
``course check``). A real Jupyter server with the course's settings
(``course.live.server_config``), saving over REST as the classic editor does and from
a collaboration room as JupyterLab with real-time collaboration does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from course.plan import Course, load_course
from course.testing.collab_client import CollabClient
from course.testing.collab_server import CollabServer
from tests.sample import copy_sample_course

pytestmark = pytest.mark.slow

LESSON = "notebooks/01-foundations.ipynb"
EXERCISE = "exercises/ps1/ps1.ipynb"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return load_course(copy_sample_course(tmp_path_factory.mktemp("outputs") / "course"))


@pytest.fixture(scope="module")
def server(course: Course) -> Iterator[CollabServer]:
    process = CollabServer(course, save_delay=1.0)
    process.start()
    yield process
    process.interrupt()


def with_outputs(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook as JupyterLab saves it after running every code cell."""
    for count, cell in enumerate((c for c in notebook["cells"] if c["cell_type"] == "code"), 1):
        cell["execution_count"] = count
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"{count}\n"}]
    return notebook


def stored(path: Path) -> list[Any]:
    """The outputs and execution counts on disk, of every code cell that has any."""
    cells = json.loads(path.read_text())["cells"]
    return [
        (c.get("outputs"), c.get("execution_count"))
        for c in cells
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]


def save(server: CollabServer, path: str, content: dict[str, Any]) -> None:
    reply = httpx.put(
        f"{server.url}/api/contents/{path}",
        json={"type": "notebook", "format": "json", "content": content},
        headers={"Authorization": f"token {server.token}"},
        timeout=30,
    )
    assert reply.status_code in (200, 201), reply.text


def test_saving_the_plans_notebooks_drops_outputs_and_keeps_their_text(
    server: CollabServer, course: Course
) -> None:
    for path in (LESSON, EXERCISE):
        before = json.loads((course.root / path).read_text())
        save(server, path, with_outputs(json.loads((course.root / path).read_text())))
        after = json.loads((course.root / path).read_text())
        assert stored(course.root / path) == [], path
        assert [c["source"] for c in after["cells"]] == [c["source"] for c in before["cells"]]


def test_saving_another_notebook_keeps_its_outputs(server: CollabServer, course: Course) -> None:
    notebook = with_outputs(json.loads((course.root / LESSON).read_text()))

    save(server, "notebooks/my-copy.ipynb", notebook)

    assert len(stored(course.root / "notebooks" / "my-copy.ipynb")) > 3


def test_a_collaboration_room_saves_the_lesson_without_outputs_and_keeps_them_on_screen(
    server: CollabServer, course: Course
) -> None:
    async def run_a_cell() -> list[Any]:
        client = CollabClient(server.url, server.token, LESSON)
        await client.connect()
        code = next(c for c in client.doc.ycells if c["cell_type"] == "code")
        with client.doc.ydoc.transaction():
            code["outputs"].append(
                Map({"output_type": "stream", "name": "stdout", "text": Text("ran\n")})
            )
            code["execution_count"] = 1
            source = code["source"]
            source.insert(len(source), "\n# edited while trying the lesson")
        deadline = time.monotonic() + 30
        while "# edited while trying" not in (course.root / LESSON).read_text():
            assert time.monotonic() < deadline, "the room never saved the edit"
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # a reload of the room from disk would have happened by now
        on_screen = [c.get("outputs") for c in client.cells() if c["cell_type"] == "code"]
        await client.disconnect()
        return on_screen

    on_screen = asyncio.run(run_a_cell())

    assert stored(course.root / LESSON) == []
    assert any(on_screen), "the outputs stay in the open notebook"
