"""A group's confined kernel under faults, on a real course server with real rooms: a
fork bomb, unbounded memory and an endless loop are stopped by the kernel's limits,
the server and the other group carry on, and the kernel restarts on request without
touching the room's text; a server killed mid-exercise keeps the edits and starts
kernels cleanly again."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from course.plan import load_course
from course.testing.classroom import ClassroomServer, KernelSocket, Participant, execute
from course.testing.collab_client import CollabClient, wait_until
from tests.identity.test_group_rooms import Workshop, group_session, room_client, start_session
from tests.sample import copy_sample_course

pytestmark = [pytest.mark.slow]

CPU_SECONDS = 6
PROCESSES = 16
LIMITS = [
    f"--CourseKernelManager.group_cpu_seconds={CPU_SECONDS}",
    f"--CourseKernelManager.group_processes={PROCESSES}",
    f"--CourseKernelManager.group_memory_bytes={1 << 30}",
]

FORK_BOMB = """
import os, time
children = []
try:
    while True:
        pid = os.fork()
        if pid == 0:
            try:
                while True:
                    os.fork()  # every child forks again, as a bomb does
            except OSError:
                time.sleep(60)
            finally:
                os._exit(0)
        children.append(pid)
except OSError as error:
    print(len(children), type(error).__name__, children)
"""

MEMORY_BOMB = """
blocks = []
while True:
    blocks.append(bytearray(64 << 20))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassroomServer]:
    course = load_course(copy_sample_course(tmp_path_factory.mktemp("faults") / "course"))
    process = ClassroomServer(course, extra=LIMITS)
    process.start(timeout=120)
    yield process
    process.interrupt()


@pytest.fixture(scope="module")
def shop(server: ClassroomServer) -> Workshop:
    return start_session(server, ["Ada", "Grace", "Edsger", "Barbara"], count=2)


def kernel_of(shop: Workshop, number: int) -> tuple[Participant, str]:
    member = shop.groups[number][0]
    return member, group_session(member, shop.notebooks[number])["kernel"]["id"]


def responsive(server: ClassroomServer) -> float:
    """Seconds the server takes to answer the instructor's sessions list."""
    started = time.monotonic()
    with server.instructor() as boss:
        assert boss.get("/course/api/live/sessions").status_code == 200
    return time.monotonic() - started


def restart(member: Participant, kernel: str, timeout: float = 90) -> None:
    """Restart on request, then wait for the kernel to be idle, as JupyterLab does before
    it runs a cell (a kernel its limits stopped may be restarting already)."""
    reply = member.client.post(f"/api/kernels/{kernel}/restart")
    assert reply.status_code == 200, reply.text
    deadline = time.monotonic() + timeout
    while member.client.get(f"/api/kernels/{kernel}").json()["execution_state"] != "idle":
        assert time.monotonic() < deadline, "the restarted kernel never became idle"
        time.sleep(0.2)


def with_room(server: ClassroomServer, member: Participant, notebook: str, work) -> list[str]:
    """Run ``work()`` while the member's room is open with a typed cell; the room's
    sources before and after must be the same."""

    async def scenario() -> list[str]:
        room = room_client(server, member, notebook)
        await room.connect()
        cell = uuid.uuid4().hex[:8]
        room.append_cell("# our answer so far\n", cell)
        await wait_until(lambda: room.connected, what="connected")
        await asyncio.sleep(0.5)
        before = room.sources()
        await asyncio.to_thread(work)
        after = CollabClient(server.url, "", notebook, "later", headers=member.headers)
        await after.connect()
        await wait_until(lambda: after.sources() == before, what="room text unchanged")
        await asyncio.gather(room.disconnect(), after.disconnect())
        return before

    return asyncio.run(scenario())


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_fork_bomb_stops_at_the_groups_process_limit(server: ClassroomServer, shop: Workshop):
    member, kernel = kernel_of(shop, 1)
    other, other_kernel = kernel_of(shop, 2)
    seen: dict[str, object] = {}

    def work() -> None:
        bomb = execute(server, member.client, kernel, FORK_BOMB)
        count, error, children = bomb.stdout.split(" ", 2)
        seen["children"] = json.loads(children)
        assert error == "BlockingIOError" and int(count) < PROCESSES
        assert responsive(server) < 2
        assert execute(server, other.client, other_kernel, "print(2 + 2)").stdout == "4\n"
        restart(member, kernel)
        assert execute(server, member.client, kernel, "print('back')").stdout == "back\n"

    with_room(server, member, shop.notebooks[1], work)
    children = seen["children"]
    assert isinstance(children, list) and children
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(gone(pid) for pid in children)  # the restart emptied the group's cgroup


def test_unbounded_memory_raises_memory_error_and_the_kernel_lives(
    server: ClassroomServer, shop: Workshop
):
    member, kernel = kernel_of(shop, 1)
    other, other_kernel = kernel_of(shop, 2)

    def work() -> None:
        bomb = execute(server, member.client, kernel, MEMORY_BOMB)
        assert bomb.error == "MemoryError"
        assert execute(server, other.client, other_kernel, "print(3 * 3)").stdout == "9\n"
        assert execute(server, member.client, kernel, "del blocks; print('ok')").stdout == "ok\n"
        restart(member, kernel)
        assert execute(server, member.client, kernel, "print('fresh')").stdout == "fresh\n"

    with_room(server, member, shop.notebooks[1], work)


def wait_for_death(socket: KernelSocket, timeout: float) -> str:
    """Read the kernel's websocket until the server says it died or restarts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(socket.socket.recv(timeout=deadline - time.monotonic()))
        state = message.get("content", {}).get("execution_state")
        if message.get("msg_type") == "status" and state in ("restarting", "dead"):
            return str(state)
    raise TimeoutError("the kernel kept running")


def test_an_endless_loop_is_stopped_by_the_cpu_limit_and_restarts_on_request(
    server: ClassroomServer, shop: Workshop
):
    member, kernel = kernel_of(shop, 2)
    other, other_kernel = kernel_of(shop, 1)

    def work() -> None:
        with KernelSocket(server, member.client, kernel) as socket:
            request = {
                "header": {
                    "msg_id": uuid.uuid4().hex,
                    "username": "test",
                    "session": socket.session,
                    "msg_type": "execute_request",
                    "version": "5.3",
                    "date": datetime.now(UTC).isoformat(),
                },
                "parent_header": {},
                "metadata": {},
                "content": {"code": "while True: pass", "silent": False},
                "channel": "shell",
                "buffers": [],
            }
            started = time.monotonic()
            socket.socket.send(json.dumps(request))
            assert execute(server, other.client, other_kernel, "print(5)").stdout == "5\n"
            assert responsive(server) < 2
            assert wait_for_death(socket, CPU_SECONDS * 6) in ("restarting", "dead")
            assert time.monotonic() - started < CPU_SECONDS * 6
        restart(member, kernel)
        assert execute(server, member.client, kernel, "print(6 * 7)").stdout == "42\n"

    with_room(server, member, shop.notebooks[2], work)


def test_a_server_killed_mid_exercise_keeps_the_edits_and_restarts_kernels(
    tmp_path_factory: pytest.TempPathFactory,
):
    course = load_course(copy_sample_course(tmp_path_factory.mktemp("crash") / "course"))
    server = ClassroomServer(course, extra=LIMITS)
    server.start(timeout=120)
    try:
        shop = start_session(server, ["Ada", "Grace"], count=1)
        first, second = shop.groups[1]
        notebook = shop.notebooks[1]
        kernel = group_session(first, notebook)["kernel"]["id"]
        pid = int(execute(server, first.client, kernel, "import os; print(os.getpid())").stdout)

        async def scenario() -> None:
            rooms = [room_client(server, m, notebook) for m in (first, second)]
            await asyncio.gather(*(r.connect() for r in rooms))
            rooms[0].append_cell("# first\n", "first")
            await wait_until(lambda: "first" in [c["id"] for c in rooms[1].cells()])
            rooms[1].type_into("first", "answer = 42\n")
            await wait_until(lambda: rooms[0].sources() == rooms[1].sources(), what="agree")
            expected = rooms[0].sources()
            disk = course.root / notebook
            await wait_until(
                lambda: "answer = 42" in disk.read_text(), timeout=20, what="saved to disk"
            )
            server.kill()
            await wait_until(lambda: gone(pid), timeout=10, what="old kernel gone")
            server.start(timeout=120)
            await asyncio.gather(*(r.reconnect(reuse_session=True) for r in rooms))
            await wait_until(lambda: all(r.sources() == expected for r in rooms), what="edits kept")
            assert [c["id"] for c in rooms[0].cells()].count("first") == 1
            await asyncio.gather(*(r.disconnect() for r in rooms))

        asyncio.run(scenario())
        kernels = first.client.get("/api/kernels").json()
        assert kernel not in [k["id"] for k in kernels]
        fresh = group_session(second, notebook)["kernel"]["id"]
        assert fresh != kernel
        assert execute(server, second.client, fresh, "print('again')").stdout == "again\n"
        assert httpx.get(f"{server.url}/api/contents/{quote(notebook)}").status_code == 403
    finally:
        server.interrupt()
