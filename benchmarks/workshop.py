"""Benchmark: a live workshop's group exercise, the kit against plain jupyter-collaboration.

    .venv/bin/python benchmarks/workshop.py [--groups 25] [--members 4] [--seconds 40]
        [--typing 0.5] [--cell-every 4] [--only kit|plain]

Two runs with the same clients on a fresh copy of the sample course each:

* **kit**: the course server as ``course serve`` runs it (the kit's identity provider,
  Authorizer, kernel manager): participants join with the code, groups are formed,
  each member opens the group notebook through the participant page's door (the group
  cookie) and joins the group's room as a participant; cells run in each group's one
  confined kernel;
* **plain**: a Jupyter server with jupyter-collaboration only (the same ystore
  settings, token auth, Jupyter's own kernels), the same group notebooks.

In each group every member types into a cell of their own (a keystroke every
``--typing`` seconds, jittered) and one member runs a cell every ``--cell-every``
seconds in the group's kernel and puts its output into the room, as JupyterLab does.
Every other member records when each keystroke and each output arrives. Reported:
keystroke propagation p50/p95 (the kit's p95 should be at most 1.5x plain), whether
every cell's output reached every member, and the memory of the server plus its
kernels (target < 4 GiB). Loopback only; bounded waits; it stops its servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from course.live.groups import form_groups
from course.plan import load_course
from course.testing import copy_course
from course.testing.classroom import ClassroomServer, join
from course.testing.collab_client import CollabClient, wait_until
from course.testing.collab_server import CollabServer

REPO = Path(__file__).resolve().parent.parent
MAX_RATIO = 1.5
MEMORY_TARGET_MB = 4096
KIT_ONLY = ("course.live", "course.identity")


class PlainServer(CollabServer):
    """jupyter-collaboration without the kit: no course extensions, Jupyter's own identity,
    authorizer and kernels; the ystore and file ids pinned in the data folder as the kit
    pins them."""

    def argv(self) -> list[str]:
        data = self.course.data_path
        off = dict.fromkeys(KIT_ONLY, False)
        return [
            f"--ServerApp.root_dir={self.course.root}",
            f"--ServerApp.port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            "--ServerApp.port_retries=0",
            f"--ServerApp.jpserver_extensions={off!r}",
            f"--IdentityProvider.token={self.token}",
            f"--SQLiteYStore.db_path={data / 'jupyter_ystore.db'}",
            f"--YDocExtension.session_store_path={data / 'collaboration_sessions.json'}",
            f"--BaseFileIdManager.db_path={data / 'file_id_manager.db'}",
            f"--YDocExtension.document_save_delay={self.save_delay}",
        ]


@dataclass
class Member:
    name: str
    headers: dict[str, str]  # what their browser sends: cookies (kit) or the token (plain)
    client: CollabClient | None = None


@dataclass
class Room:
    """One group: its notebook, its members, and what arrived where."""

    number: int
    notebook: str
    members: list[Member]
    kernel: str = ""
    sent: dict[tuple[int, int], float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    outputs_sent: dict[str, float] = field(default_factory=dict)
    outputs_seen: Counter[str] = field(default_factory=Counter)
    output_latencies: list[float] = field(default_factory=list)
    runs_failed: int = 0

    @property
    def clients(self) -> list[CollabClient]:
        return [m.client for m in self.members if m.client is not None]

    def listen(self) -> None:
        for reader, client in enumerate(self.clients):
            client.doc.ycells.observe_deep(self._listener(reader, client))

    def _listener(self, reader: int, client: CollabClient) -> Any:
        seen: Counter[int] = Counter()

        def on_change(events: Any) -> None:
            now = time.perf_counter()
            for event in events:
                path = event.path
                if len(path) < 2:
                    continue
                cell_id = str(client.doc.ycells[path[0]].get("id", ""))
                if path[1] == "outputs" and cell_id.startswith("run-"):
                    self._output_arrived(reader, client, cell_id, now)
                if path[1] != "source" or not cell_id.startswith("typist-"):
                    continue
                writer = int(cell_id.removeprefix("typist-"))
                if writer == reader:
                    continue
                arrived = str(event.target).count(",")
                for seq in range(seen[writer], arrived):
                    sent = self.sent.get((writer, seq))
                    if sent is not None:
                        self.latencies.append((now - sent) * 1000)
                seen[writer] = max(seen[writer], arrived)

        return on_change

    def _output_arrived(self, reader: int, client: CollabClient, cell: str, now: float) -> None:
        if reader == 0 or not client.outputs_of(cell):
            return
        key = f"{cell}:{reader}"
        if key in self.outputs_seen:
            return
        self.outputs_seen[key] += 1
        self.output_latencies.append((now - self.outputs_sent.get(cell, now)) * 1000)

    async def type(self, writer: int, until: float, pace: float, rng: random.Random) -> None:
        client = self.clients[writer]
        seq = 0
        while time.perf_counter() < until:
            await asyncio.sleep(pace * rng.uniform(0.5, 1.5))
            self.sent[(writer, seq)] = time.perf_counter()
            client.type_into(f"typist-{writer}", f"{seq},")
            seq += 1

    async def run_cells(self, url: str, until: float, every: float, rng: random.Random) -> None:
        """The first member runs a cell every ``every`` s and writes its output to the room."""
        runner = self.clients[0]
        ws_url = url.replace("http", "ws", 1) + f"/api/kernels/{self.kernel}/channels"
        session = uuid.uuid4().hex
        async with websockets.connect(
            f"{ws_url}?session_id={session}",
            additional_headers=self.members[0].headers,
            max_size=None,
            open_timeout=60,
        ) as socket:
            n = 0
            await asyncio.sleep(rng.uniform(0, every))
            while time.perf_counter() < until:
                cell = f"run-{n}"
                runner.append_cell(f"print(sum(range({n} * 1000)))\n", cell)
                text = await execute(socket, session, f"print(sum(range({n} * 1000)))", 60)
                if text is None:
                    self.runs_failed += 1
                else:
                    self.outputs_sent[cell] = time.perf_counter()
                    output = {"output_type": "stream", "name": "stdout", "text": text}
                    runner.set_outputs(cell, [output])
                n += 1
                await asyncio.sleep(every * rng.uniform(0.75, 1.25))

    def outputs_missing(self) -> int:
        readers = len(self.clients) - 1
        return sum(
            1
            for cell in self.outputs_sent
            for r in range(1, readers + 1)
            if f"{cell}:{r}" not in self.outputs_seen
        )


async def execute(socket: Any, session: str, code: str, timeout: float) -> str | None:
    """Run ``code`` on the kernel's websocket; its stdout, or None if it failed."""
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "username": "bench",
        "session": session,
        "msg_type": "execute_request",
        "version": "5.3",
        "date": datetime.now(UTC).isoformat(),
    }
    content = {"code": code, "silent": False, "store_history": False}
    request = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    await socket.send(json.dumps({**request, "channel": "shell", "buffers": []}))
    out, failed = [], False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(await asyncio.wait_for(socket.recv(), deadline - time.monotonic()))
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, body = message["msg_type"], message["content"]
        if kind == "stream":
            out.append(body["text"])
        elif kind == "error":
            failed = True
        elif kind == "status" and body["execution_state"] == "idle":
            return None if failed else "".join(out)
    return None


# the two set-ups ------------------------------------------------------------------------


def kit_rooms(server: ClassroomServer, groups: int, members: int) -> list[Room]:
    """Participants join with the code, groups are formed, each opens the door."""
    with server.instructor() as boss:
        session = boss.post("/course/api/live/sessions", json={"module": "m1"}).json()
        people = [join(server, session["join_code"], f"P{i:03d}") for i in range(groups * members)]
        formed = boss.post(
            f"/course/api/live/sessions/{session['id']}/groups", json={"count": groups}
        ).json()
    by_id = {p.id: p for p in people}
    rooms = []
    for group in formed:
        group_members = [by_id[m["id"]] for m in group["members"]]
        for person in group_members:
            person.open_group_notebook()
        room = Room(
            group["number"],
            group["notebook"],
            [Member(p.name, p.headers) for p in group_members],
        )
        reply = group_members[0].client.post(
            "/api/sessions",
            json={"path": room.notebook, "type": "notebook", "kernel": {"name": "python3"}},
        )
        reply.raise_for_status()
        room.kernel = reply.json()["kernel"]["id"]
        rooms.append(room)
    return rooms


def plain_rooms(server: PlainServer, groups: int, members: int) -> list[Room]:
    """The same group notebooks (the kit's form_groups), everyone with the token."""
    names = [f"P{i:03d}" for i in range(groups * members)]
    formed = form_groups(server.course, "m1", "plain", names, count=groups)
    headers = {"Authorization": f"token {server.token}"}
    rooms = []
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as http:
        for group in formed:
            room = Room(group.number, group.path, [Member(n, headers) for n in group.members])
            reply = http.post(
                "/api/sessions",
                json={"path": group.path, "type": "notebook", "kernel": {"name": "python3"}},
            )
            reply.raise_for_status()
            room.kernel = reply.json()["kernel"]["id"]
            rooms.append(room)
    return rooms


# one run --------------------------------------------------------------------------------


@dataclass
class Result:
    mode: str
    groups: int
    members: int
    keystrokes: int
    latencies: list[float]
    outputs: int
    outputs_missing: int
    runs_failed: int
    output_latencies: list[float]
    server_mb: float
    kernels_mb: float
    kernels: int
    converged: bool

    def percentile(self, values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    @property
    def p50(self) -> float:
        return self.percentile(self.latencies, 0.5)

    @property
    def p95(self) -> float:
        return self.percentile(self.latencies, 0.95)

    def report(self) -> str:
        out_p95 = self.percentile(self.output_latencies, 0.95)
        total = self.server_mb + self.kernels_mb
        memory = "met" if total < MEMORY_TARGET_MB else "MISSED"
        return "\n".join(
            [
                f"{self.mode}: {self.groups} groups x {self.members} members, "
                f"{self.keystrokes} keystrokes, {self.outputs} cell outputs",
                f"  keystroke propagation ms: p50 {self.p50:.1f}  p95 {self.p95:.1f}  "
                f"max {max(self.latencies, default=0):.1f}  ({len(self.latencies)} deliveries)",
                f"  cell outputs: {self.outputs} run, {self.runs_failed} failed, "
                f"{self.outputs_missing} deliveries missing; output p95 {out_p95:.1f} ms",
                f"  converged: {'yes' if self.converged else 'NO'}",
                f"  memory: server {self.server_mb:.0f} MB + {self.kernels} kernels "
                f"{self.kernels_mb:.0f} MB = {total:.0f} MB "
                f"(target < {MEMORY_TARGET_MB} MB: {memory})",
            ]
        )


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (its kernels)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


async def _exercise(
    url: str, rooms: list[Room], seconds: float, typing: float, every: float
) -> bool:
    for room in rooms:
        for member in room.members:
            member.client = CollabClient(
                url, "", room.notebook, member.name, headers=member.headers
            )
        await asyncio.gather(*(c.connect(timeout=60) for c in room.clients))
        for k, client in enumerate(room.clients):
            client.append_cell("", f"typist-{k}")
    for room in rooms:
        await wait_until(
            lambda r=room: all(
                sum(1 for c in cl.cells() if c["id"].startswith("typist-")) == len(r.members)
                for cl in r.clients
            ),
            60,
            "every typist's cell",
        )
        room.listen()
    rng = random.Random(0)
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(room.type(k, until, typing, rng) for room in rooms for k in range(len(room.members))),
        *(room.run_cells(url, until, every, rng) for room in rooms),
    )
    try:
        await wait_until(
            lambda: all(all(c.cells() == r.clients[0].cells() for c in r.clients) for r in rooms),
            60,
            "convergence",
        )
        converged = True
    except TimeoutError:
        converged = False
    for room in rooms:
        for client in room.clients:
            await client.disconnect()
    return converged


def run(
    mode: str, groups: int, members: int, seconds: float, typing: float, every: float
) -> Result:
    with tempfile.TemporaryDirectory(prefix=f"workshop-{mode}-") as tmp:
        course = load_course(copy_course(REPO, Path(tmp) / "course"))
        server: CollabServer = ClassroomServer(course) if mode == "kit" else PlainServer(course)
        server.start(timeout=180)
        try:
            rooms = (
                kit_rooms(server, groups, members)  # type: ignore[arg-type]
                if mode == "kit"
                else plain_rooms(server, groups, members)  # type: ignore[arg-type]
            )
            converged = asyncio.run(
                asyncio.wait_for(_exercise(server.url, rooms, seconds, typing, every), 900)
            )
            assert server.process is not None
            kernels = [p for p in descendants(server.process.pid) if rss_mb(p) > 20]
            result = Result(
                mode=mode,
                groups=groups,
                members=members,
                keystrokes=sum(len(r.sent) for r in rooms),
                latencies=[x for r in rooms for x in r.latencies],
                outputs=sum(len(r.outputs_sent) for r in rooms),
                outputs_missing=sum(r.outputs_missing() for r in rooms),
                runs_failed=sum(r.runs_failed for r in rooms),
                output_latencies=[x for r in rooms for x in r.output_latencies],
                server_mb=server.rss_mb(),
                kernels_mb=sum(rss_mb(p) for p in kernels),
                kernels=len(kernels),
                converged=converged,
            )
        finally:
            server.interrupt()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=25, help="groups (one kernel each)")
    parser.add_argument("--members", type=int, default=4, help="participants per group")
    parser.add_argument("--seconds", type=float, default=40, help="how long everyone types")
    parser.add_argument("--typing", type=float, default=0.5, help="seconds between keystrokes")
    parser.add_argument("--cell-every", type=float, default=4, help="seconds between cell runs")
    parser.add_argument("--only", choices=["kit", "plain"], help="run one side only")
    args = parser.parse_args(argv)
    results = []
    for mode in ("plain", "kit"):
        if args.only and mode != args.only:
            continue
        result = run(mode, args.groups, args.members, args.seconds, args.typing, args.cell_every)
        print(result.report(), flush=True)
        results.append(result)
    ok = all(r.converged and r.outputs_missing == 0 and r.runs_failed == 0 for r in results)
    if len(results) == 2:
        plain, kit = results
        ratio = kit.p95 / plain.p95 if plain.p95 else float("inf")
        print(
            f"kit p95 / plain p95 = {ratio:.2f} (at most {MAX_RATIO}: "
            f"{'met' if ratio <= MAX_RATIO else 'MISSED'})"
        )
        ok = ok and ratio <= MAX_RATIO
    memory_ok = all(r.server_mb + r.kernels_mb < MEMORY_TARGET_MB for r in results)
    return 0 if ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
