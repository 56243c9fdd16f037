"""`course serve` and `course present` stop their whole process tree on SIGTERM, SIGINT, SIGHUP.

Each test runs the venv's real `course` command on a copy of the sample course,
gives it what a workshop gives it (kernels, a visitor, a collaborator in a room),
sends one signal to the command, and looks for any process of the tree left.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from course.testing import CourseCommand, free_port
from course.testing.collab_client import CollabClient
from course.testing.voila import render

pytestmark = pytest.mark.slow

STOPS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
DEADLINE = 15.0  # seconds: the server's grace (5 s), the kill, and a loaded machine
TOKEN = "stop-signals-test-token"
APP = "notebooks/apps/01-functions.ipynb"
ROOM = "notebooks/live/m1-groups.ipynb"


def still_running(tree: list[psutil.Process], deadline: float = DEADLINE) -> list[str]:
    """The processes of ``tree`` still alive after ``deadline`` seconds (their command lines)."""
    end = time.monotonic() + deadline
    while True:
        alive = [described for p in tree if (described := _alive(p))]
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.2)


def _alive(process: psutil.Process) -> str:
    try:
        if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
            return " ".join(process.cmdline()[:3])
    except psutil.Error:
        pass
    return ""


def kernels(tree: list[psutil.Process]) -> int:
    """How many of ``tree`` are kernels (read before the signal: the dead have no command line)."""
    return sum("ipykernel_launcher" in _alive(p) for p in tree)


def eventually_warm(url: str, command: CourseCommand, timeout: float = 240) -> bool:
    """Wait until Voila serves and its one pool kernel is warm."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert command.process is not None and command.process.poll() is None, command.output()
        try:
            if httpx.get(url + "course/present/status", timeout=5).json()["pool_ready"] >= 1:
                return True
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    return False


async def join_room(url: str) -> CollabClient:
    """A collaborator in a room; the room handlers answer a little after the server does."""
    deadline = time.monotonic() + 60
    while True:
        client = CollabClient(url, TOKEN, ROOM)
        try:
            await client.connect()
            return client
        except (httpx.HTTPError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def stop_while_collaborating(command: CourseCommand, url: str, stop: signal.Signals):
    """Send ``stop`` with a collaborator connected (that used to hang Jupyter Server's exit)."""
    client = await join_room(url)
    tree = command.tree()
    running = kernels(tree)
    command.send_signal(stop)
    left = await asyncio.to_thread(still_running, tree)
    await client.disconnect()
    return running, left


@pytest.mark.parametrize("stop", STOPS, ids=lambda s: s.name)
def test_course_serve_stops_the_server_and_its_kernels(
    sample_course: Path, stop: signal.Signals
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ("serve", "--no-browser", "--port", str(port))
    with CourseCommand(sample_course, *args, env={"JUPYTER_TOKEN": TOKEN}) as command:
        command.wait_for("Instructor (live sessions)")
        auth = {"Authorization": f"token {TOKEN}"}
        started = httpx.post(f"{url}/api/kernels", headers=auth, json={"name": "python3"})
        assert started.status_code == 201, started.text
        running, left = asyncio.run(stop_while_collaborating(command, url, stop))
        code = command.wait(10)

    assert running == 1, "the kernel started over the REST API"
    assert left == [], command.output()
    assert code == 0


@pytest.mark.parametrize("stop", STOPS, ids=lambda s: s.name)
def test_course_present_stops_voila_and_its_kernels(
    sample_course: Path, stop: signal.Signals
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    args = ("present", APP, "--no-browser", "--port", str(port), "--pool", "1")
    with CourseCommand(sample_course, *args) as command:
        assert eventually_warm(url, command)
        assert render(url, deadline=180).status_code == 200  # a visitor holds a kernel
        deadline = time.monotonic() + 60
        while kernels(tree := command.tree()) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)  # the pool starts a kernel to replace the one the visitor took
        running = kernels(tree)
        command.send_signal(stop)
        left = still_running(tree)
        code = command.wait(10)

    assert running >= 2, "a visitor's kernel and the warm one"
    assert left == [], command.output()
    assert code == 0
