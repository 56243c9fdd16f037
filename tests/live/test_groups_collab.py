"""Group notebooks in real-time collaboration, against a real Jupyter server on loopback.

Headless clients (``collab_client.CollabClient``) speak jupyter-collaboration's own
protocol, so these tests see what JupyterLab tabs would see: one shared room per
group notebook, edits propagating, and what survives a server restart mid-exercise.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.live.groups import Group, form_groups
from course.plan import Course, load_course
from course.testing.collab_client import CollabClient, wait_until
from course.testing.collab_server import CollabServer
from tests.sample import copy_sample_course

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


MEMBERS = [f"learner-{i}" for i in range(6)]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """One copy of the sample course for the module: each test forms its own session."""
    return load_course(copy_sample_course(tmp_path_factory.mktemp("collab") / "course"))


@pytest.fixture(scope="module")
def server(course: Course) -> Iterator[CollabServer]:
    """One real server for the module (starting one costs seconds); restart tests reuse it."""
    process = CollabServer(course, save_delay=1.0)
    process.start()
    yield process
    process.kill()


@pytest.fixture
def groups(course: Course) -> list[Group]:
    """Two fresh group notebooks, in a session of their own."""
    return form_groups(course, "m1", uuid.uuid4().hex[:12], MEMBERS, count=2)


def converged(clients: list[CollabClient]) -> bool:
    first = clients[0].cells()
    return all(client.cells() == first for client in clients[1:])


def disk_sources(path: Path) -> list[str] | None:
    """The notebook's cell sources on disk; None while the server is halfway through writing."""
    try:
        cells = json.loads(path.read_text())["cells"]
    except (json.JSONDecodeError, KeyError):
        return None
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def on_disk(path: Path, tokens: list[str]) -> bool:
    text = "\n".join(disk_sources(path) or [])
    return all(token in text for token in tokens)


async def connected(server: CollabServer, group: Group, count: int) -> list[CollabClient]:
    clients = [
        CollabClient(server.url, server.token, group.path, f"g{group.number}-{i}")
        for i in range(count)
    ]
    await asyncio.gather(*(client.connect() for client in clients))
    return clients


def test_group_notebook_in_the_data_folder_is_reachable_but_not_listed(server, course, groups):
    assert server.get(f"/api/contents/{groups[0].path}").status_code == 200
    assert server.get(groups[0].link).status_code == 200
    listed = {item["name"] for item in server.get("/api/contents").json()["content"]}
    assert "var" not in listed
    assert "notebooks" in listed


async def test_group_members_converge_in_one_room_and_other_groups_stay_apart(
    server, course, groups
):
    first = await connected(server, groups[0], 4)
    second = await connected(server, groups[1], 2)
    assert len({c.room for c in first}) == 1
    assert first[0].room != second[0].room
    template_cells = len(first[0].cells())

    for i, client in enumerate(first):
        client.append_cell(f"# member {i}\n", f"member-{i}")
    await wait_until(lambda: converged(first) and len(first[0].cells()) == template_cells + 4)
    for round_ in range(5):
        for i, client in enumerate(first):
            client.type_into(f"member-{(i + round_) % 4}", f"x = {i}{round_}\n")
    await wait_until(lambda: converged(first), what="four members agree")

    sources = "\n".join(first[0].sources())
    assert all(sources.count(f"x = {i}{r}\n") == 1 for i in range(4) for r in range(5))
    assert len(second[0].cells()) == template_cells and converged(second)
    notebook = course.root / groups[0].path
    await wait_until(lambda: disk_sources(notebook) == first[0].sources(), what="saved to disk")
    for client in first + second:
        await client.disconnect()


@pytest.mark.parametrize(
    ("stop", "reuse_session"),
    [("kill", True), ("interrupt", False)],
    ids=["sigkill-old-session", "sigint-fresh-session"],
)
async def test_restart_mid_exercise_loses_no_saved_edit_and_duplicates_no_cell(
    server, course, groups, stop, reuse_session
):
    notebook = course.root / groups[0].path
    clients = await connected(server, groups[0], 3)
    template_cells = len(clients[0].cells())

    # Phase A: the group works; every edit reaches the file (save delay 1 s).
    for i, client in enumerate(clients):
        client.append_cell(f"A{i};", f"member-{i}")
    await wait_until(lambda: converged(clients) and len(clients[0].cells()) == template_cells + 3)
    for i, client in enumerate(clients):
        client.type_into(f"member-{i}", f"A2{i};")
    saved = [f"{p}{i};" for p in ("A", "A2") for i in range(3)]
    await wait_until(lambda: converged(clients) and on_disk(notebook, saved), what="A saved")

    # The server goes down right after edits it received but had not saved yet.
    for i, client in enumerate(clients):
        client.type_into(f"member-{i}", f"L{i};")
    await asyncio.sleep(0.05)
    getattr(server, stop)()

    # Offline: tabs keep editing their local copies, as JupyterLab lets them.
    for i, client in enumerate(clients):
        client.type_into(f"member-{i}", f"B{i};")
    clients[0].append_cell("B-new;", "made-offline")

    server.start()
    for client in clients:
        await client.reconnect(reuse_session=reuse_session)
    for i, client in enumerate(clients):
        client.type_into(f"member-{i}", f"C{i};")
    kept = [*saved, *(f"{p}{i};" for p in ("B", "C") for i in range(3)), "B-new;"]
    await wait_until(lambda: converged(clients), what="clients agree after the restart")
    await wait_until(lambda: on_disk(notebook, kept), what="edits saved after the restart")

    cells = clients[0].cells()
    ids = [cell["id"] for cell in cells]
    assert len(cells) == template_cells + 4, "a cell was duplicated or lost"
    assert not [i for i, n in Counter(ids).items() if n > 1], "duplicate cell ids"
    text = "\n".join(clients[0].sources())
    assert {token: text.count(token) for token in kept} == dict.fromkeys(kept, 1)
    # Unsaved at the moment of the crash: may be lost (see the report), never doubled.
    assert all(text.count(f"L{i};") <= 1 for i in range(3))
    assert disk_sources(notebook) == clients[0].sources()
    assert (course.data_path / "jupyter_ystore.db").is_file()
    assert not list(server.jupyter_dir.glob("*.db")), "the ystore must not follow the cwd"
    for client in clients:
        await client.disconnect()
