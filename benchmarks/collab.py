"""Benchmark: G groups × K headless collaboration clients editing group notebooks.

    .venv/bin/python benchmarks/collab.py [--groups 10] [--clients 10] [--edits 20] [--pause 1.0]

The second part of the live benchmark (``benchmarks/live.py`` can call ``run``).
It copies the sample course into a temporary folder, forms G groups with the
kit's own ``form_groups``, starts one real Jupyter server with
jupyter-collaboration on loopback, and connects K clients per group notebook
(the real protocol: session PUT, room websocket, Yjs sync). Every client owns
one cell and types into it, paced like a person typing; every other member of
the group records when each keystroke arrives. At the end every client of a
group must hold the same notebook, with no cell duplicated and no keystroke
missing. Prints propagation p50/p95/p99 (target p95 < 100 ms) and the server's
memory. Loopback only; every wait is bounded; it stops its server itself.

``--plain`` runs the very same clients (same groups, same typing, same seed) a second
time, against a plain ``jupyter server`` with jupyter-collaboration and none of the
kit (no course extension, settings or identity), and prints both and the kit's
ratio to plain: a stall in both is jupyter-collaboration's (or the machine's), a
stall in the kit's only is the kit's. The kit's server also logs its event-loop
stalls and slow full garbage collections (``course.live.stalls``), printed here.
The machine's load average is printed before each run: two shared cores make any
number from a busy minute noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from course.live.groups import Group, form_groups
from course.plan import load_course
from course.testing import copy_course
from course.testing.collab_client import CollabClient, wait_until
from course.testing.collab_server import CollabServer
from course.testing.loop_lag import LoopLag

REPO = Path(__file__).resolve().parent.parent

TARGET_P95_MS = 100.0
STALL = 0.5  # seconds without the kit server's event loop running that get logged


@dataclass
class CollabResult:
    groups: int
    clients: int
    edits_sent: int
    deliveries: int
    expected_deliveries: int
    latencies_ms: list[float]
    converged: bool
    server_rss_mb: float
    server_peak_mb: float
    seconds: float
    server_cpu_s: float
    client_cpu_s: float
    client_lag_ms: tuple[float, float] = (0.0, 0.0)
    label: str = "kit"
    load: float = 0.0
    stalls: str = ""

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def report(self) -> str:
        p50, p95, p99 = (self.percentile(s) for s in (0.5, 0.95, 0.99))
        verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
        return "\n".join(
            [
                f"collaboration ({self.label}): {self.groups} groups × {self.clients} clients, "
                f"{self.edits_sent} edits in {self.seconds:.1f} s "
                f"(load average {self.load:.1f} before)",
                f"  converged: {'yes, every client of every group' if self.converged else 'NO'}",
                f"  deliveries: {self.deliveries} of {self.expected_deliveries}",
                f"  propagation ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  "
                f"max {max(self.latencies_ms, default=0):.1f}  "
                f"(mean {statistics.fmean(self.latencies_ms or [0]):.1f})",
                f"  target p95 < {TARGET_P95_MS:.0f} ms: {verdict}",
                f"  server memory: {self.server_rss_mb:.0f} MB at the end, "
                f"{self.server_peak_mb:.0f} MB peak",
                f"  cpu: server {self.server_cpu_s:.1f} s, clients {self.client_cpu_s:.1f} s "
                f"(one process for all clients)",
                f"  clients' event loop late by p95 {self.client_lag_ms[0]:.0f} ms, max "
                f"{self.client_lag_ms[1]:.0f} ms (time the clients, not the server, add)",
                *([f"  {self.stalls}"] if self.stalls else []),
            ]
        )


class _Group:
    """The clients of one group notebook and the arrival log of every keystroke."""

    def __init__(self, group: Group, clients: list[CollabClient]) -> None:
        self.group = group
        self.clients = clients
        self.sent: dict[tuple[int, int], float] = {}
        self.latencies: list[float] = []
        self.deliveries = 0

    def listen(self) -> None:
        """Each member notes when another member's n-th keystroke reaches its copy."""
        for reader, client in enumerate(self.clients):
            client.doc.ycells.observe_deep(self._listener(reader, client))

    def _listener(self, reader: int, client: CollabClient):
        seen: Counter[int] = Counter()

        def on_change(events) -> None:
            now = time.perf_counter()
            for event in events:
                path = event.path
                if len(path) != 2 or path[1] != "source":
                    continue
                cell_id = str(client.doc.ycells[path[0]].get("id", ""))
                if not cell_id.startswith("writer-"):
                    continue
                writer = int(cell_id.removeprefix("writer-"))
                if writer == reader:
                    continue
                arrived = str(event.target).count(",")
                for seq in range(seen[writer], arrived):
                    sent = self.sent.get((writer, seq))
                    if sent is not None:
                        self.latencies.append((now - sent) * 1000)
                        self.deliveries += 1
                seen[writer] = max(seen[writer], arrived)

        return on_change

    async def type(self, writer: int, edits: int, pause: float, rng: random.Random) -> None:
        client = self.clients[writer]
        for seq in range(edits):
            await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
            self.sent[(writer, seq)] = time.perf_counter()
            client.type_into(f"writer-{writer}", f"{seq},")

    def converged(self, edits: int) -> bool:
        first = self.clients[0].cells()
        if any(client.cells() != first for client in self.clients[1:]):
            return False
        ids = [cell["id"] for cell in first]
        if len(ids) != len(set(ids)):
            return False
        sources = {cell["id"]: cell["source"] for cell in first}
        expected = "".join(f"{seq}," for seq in range(edits))
        return all(sources.get(f"writer-{w}") == expected for w in range(len(self.clients)))


async def _connect_all(server: CollabServer, groups: list[Group], per_group: int) -> list[_Group]:
    result = []
    for group in groups:
        clients = [
            CollabClient(server.url, server.token, group.path, f"g{group.number}-{k}")
            for k in range(per_group)
        ]
        await asyncio.gather(*(c.connect() for c in clients))
        for k, client in enumerate(clients):
            client.append_cell("", f"writer-{k}")
        result.append(_Group(group, clients))
    cells = len(result[0].clients[0].cells())
    for g in result:
        await wait_until(
            lambda g=g: all(len(c.cells()) == cells for c in g.clients), 60, "every cell"
        )
    return result


async def _measure(
    server: CollabServer, groups: list[Group], per_group: int, edits: int, pause: float
) -> tuple[list[_Group], bool, float, tuple[float, float]]:
    rooms = await _connect_all(server, groups, per_group)
    for room in rooms:
        room.listen()
    # The clients' own full garbage collections (100 documents in one process) would
    # stall every measurement at once: keep what is connected out of them, as the kit's
    # server does for itself (course.live.heap). The same for the kit and for plain.
    gc.freeze()
    rng = random.Random(0)
    lag = LoopLag()
    lag.start()
    started = time.perf_counter()
    await asyncio.gather(
        *(room.type(k, edits, pause, rng) for room in rooms for k in range(per_group))
    )
    client_lag = lag.stop()
    gc.unfreeze()
    try:
        await wait_until(lambda: all(r.converged(edits) for r in rooms), 60, "convergence")
        converged = True
    except TimeoutError:
        converged = False
    seconds = time.perf_counter() - started
    for room in rooms:
        for client in room.clients:
            await client.disconnect()
    return rooms, converged, seconds, client_lag


def run(
    groups: int = 10,
    clients: int = 10,
    edits: int = 20,
    pause: float = 1.0,
    plain: bool = False,
    options: tuple[str, ...] = (),
) -> CollabResult:
    """Run the benchmark on a fresh temporary course and one real server; always stops it.

    ``plain``: the server is plain jupyter-collaboration, without the kit."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="collab-bench-") as tmp:
        course = load_course(copy_course(REPO, Path(tmp) / "course"))
        members = [f"learner-{i:04d}" for i in range(groups * clients)]
        formed = form_groups(course, "m1", "bench", members, count=groups)
        server = CollabServer(
            course,
            save_delay=1.0,
            plain=plain,
            extra=[f"--CourseLiveApp.stall_seconds={STALL}", *options],
        )
        try:
            server.start()  # inside: a server that never got ready is stopped too
            cpu_before, client_before = server.cpu_seconds(), time.process_time()
            rooms, converged, seconds, client_lag = asyncio.run(
                asyncio.wait_for(_measure(server, formed, clients, edits, pause), 600)
            )
            rss, peak = server.rss_mb(), server.peak_rss_mb()
            server_cpu = server.cpu_seconds() - cpu_before
            client_cpu = time.process_time() - client_before
        finally:
            server.interrupt()
            stalls = "" if plain else stall_report(server.log_text())
    return CollabResult(
        groups=groups,
        clients=clients,
        edits_sent=sum(len(r.sent) for r in rooms),
        deliveries=sum(r.deliveries for r in rooms),
        expected_deliveries=groups * clients * (clients - 1) * edits,
        latencies_ms=[ms for r in rooms for ms in r.latencies],
        converged=converged,
        server_rss_mb=rss,
        server_peak_mb=peak,
        seconds=seconds,
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
        label="plain jupyter-collaboration" if plain else " ".join(["kit", *options]),
        load=load,
        stalls=stalls,
        client_lag_ms=client_lag,
    )


def stall_report(log: str) -> str:
    """The kit server's stalls and slow full collections (``course.live.stalls``)."""
    lines = log.splitlines()
    stalled = [line.rsplit(" after ", 1)[-1] for line in lines if "answered again after" in line]
    caught = [i for i, line in enumerate(lines) if "event loop has not run" in line]
    stacks = ["", *[line for i in caught for line in lines[i : i + 40]]] if caught else []
    slow_gc = [
        line.split("took ", 1)[-1].split(" s", 1)[0] for line in lines if "full garbage" in line
    ]
    return "\n".join(
        [
            f"event-loop stalls over {STALL} s: {', '.join(stalled) or 'none'}; "
            f"slow full garbage collections: {', '.join(s + ' s' for s in slow_gc) or 'none'}",
            *stacks,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--clients", type=int, default=10, help="clients per group")
    parser.add_argument("--edits", type=int, default=20, help="keystrokes per client")
    parser.add_argument(
        "--pause", type=float, default=1.0, help="mean seconds between one client's keys"
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="also run the same clients against plain jupyter-collaboration (no kit) and "
        "print the kit's ratio to it",
    )
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        help="one more option for the kit's server, e.g. "
        "--server-option=--CourseLiveApp.freeze_heap=False (repeatable)",
    )
    args = parser.parse_args(argv)
    options = tuple(args.server_option)
    result = run(args.groups, args.clients, args.edits, args.pause, options=options)
    print(result.report())
    if not args.plain:
        return 0 if result.converged else 1
    reference = run(args.groups, args.clients, args.edits, args.pause, plain=True)
    print(reference.report())
    print(ratio(result, reference))
    return 0 if result.converged and reference.converged else 1


def ratio(kit: CollabResult, plain: CollabResult) -> str:
    """The kit's propagation over plain jupyter-collaboration's, percentile by percentile."""
    parts = []
    for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        mine, theirs = kit.percentile(share), plain.percentile(share)
        parts.append(f"{name} {mine / theirs:.2f}×" if theirs else f"{name} n/a")
    return "kit ÷ plain jupyter-collaboration: " + "  ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
