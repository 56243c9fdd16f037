"""Benchmark: N learners signed in at once on one course server, each running lesson 1.

    .venv/bin/python benchmarks/workspaces.py [--learners 30] [--cells 50] [--unconfined 5]

It copies the sample course into a temporary folder, puts N learners on the roster
with personal codes and starts one real course server on loopback (JupyterLab,
collaboration, the kit's identity classes: ``ClassroomServer``). Then all N, each in
its own thread and at the same moment, sign in through the sign-in page, start a
session on their own copy of lesson 1 (a confined kernel) and run every code cell of
it over the kernel websocket, as JupyterLab would. Measured:

* sign-in to running kernel: from the sign-in POST to the first cell's reply;
* the lesson: all of lesson 1's code cells, per learner;
* memory: PSS and RSS of every confined kernel (PSS shares the pages kernels have in
  common fairly), their total, and the server's RSS;
* cell latency, side by side: once every lesson ran, ``--unconfined`` kernels the
  instructor starts (Jupyter's own, no confinement) run lesson 1 too, then they and as
  many learners' confined kernels take turns running ``--cells`` trivial cells each,
  so both kinds are measured on the same server under the same load.

Loopback only; every wait is bounded; it stops its server itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import psutil

from course.identity.codes import issue_codes
from course.identity.keys import course_key
from course.plan import load_course
from course.record.roster import Learner, Roster, save_roster
from course.testing import copy_course
from course.testing.classroom import ClassroomServer, KernelSocket

REPO = Path(__file__).resolve().parent.parent
LESSON = "notebooks/01-foundations.ipynb"


@dataclass
class LearnerRun:
    learner: str
    client: Any = None
    kernel_id: str = ""
    to_kernel_s: float = 0.0
    lesson_s: float = 0.0
    errors: list[str] = field(default_factory=list)


def lesson_cells(course_root: Path) -> list[str]:
    notebook = nbformat.read(course_root / LESSON, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def start_session(client, path: str) -> str:
    body = {
        "path": path,
        "type": "notebook",
        "name": Path(path).name,
        "kernel": {"name": "python3"},
    }
    reply = client.post("/api/sessions", json=body)
    reply.raise_for_status()
    return reply.json()["kernel"]["id"]


def timed(kernel: KernelSocket, code: str) -> float:
    started = time.perf_counter()
    kernel.run(code)
    return (time.perf_counter() - started) * 1000


def run_learner(server: ClassroomServer, learner: str, code: str, cells: list[str]) -> LearnerRun:
    """Sign in, start a session on one's own lesson 1, run all its code cells."""
    started = time.perf_counter()
    signed_in = server.learner(code)
    run = LearnerRun(learner, signed_in.client)
    run.kernel_id = start_session(signed_in.client, f"var/workspaces/{learner}/{LESSON}")
    with KernelSocket(server, signed_in.client, run.kernel_id) as kernel:
        kernel.run("1")
        run.to_kernel_s = time.perf_counter() - started
        lesson_started = time.perf_counter()
        for source in cells:
            outcome = kernel.run(source)
            if outcome.error:
                run.errors.append(f"{outcome.error}: {outcome.evalue}")
        run.lesson_s = time.perf_counter() - lesson_started
    return run


def side_by_side(
    server: ClassroomServer, runs: list[LearnerRun], cells: list[str], count: int, kernels: int
) -> tuple[list[float], list[float]]:
    """Trivial-cell latencies (ms) of confined and unconfined kernels, taking turns."""
    boss = server.instructor()
    unconfined = []
    for _ in range(kernels):
        kernel_id = boss.post("/api/kernels", json={"name": "python3"}).json()["id"]
        unconfined.append(KernelSocket(server, boss, kernel_id).__enter__())
        for source in ["1", *cells]:  # the same lesson: both kinds hold the same imports
            unconfined[-1].run(source)
    confined = [KernelSocket(server, r.client, r.kernel_id).__enter__() for r in runs[:kernels]]
    found: tuple[list[float], list[float]] = ([], [])
    try:
        for i in range(count):
            for mine, theirs in zip(confined, unconfined, strict=False):
                found[0].append(timed(mine, f"x = {i}"))
                found[1].append(timed(theirs, f"x = {i}"))
    finally:
        for socket in confined + unconfined:
            socket.__exit__(None, None, None)
    return found


def kernel_memory(
    server: ClassroomServer,
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(PSS MB, RSS MB) of each confined and each unconfined kernel process."""
    confined, unconfined = [], []
    for process in psutil.Process(server.process.pid).children(recursive=True):
        try:
            cmdline = " ".join(process.cmdline())
            memory = process.memory_full_info()
        except psutil.Error:
            continue
        sizes = (memory.pss / 2**20, memory.rss / 2**20)
        if "course.workspace.confined_kernel" in cmdline:
            confined.append(sizes)
        elif "ipykernel_launcher" in cmdline:
            unconfined.append(sizes)
    return confined, unconfined


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--cells", type=int, default=50, help="trivial cells per kernel")
    parser.add_argument("--unconfined", type=int, default=5, help="unconfined kernels to compare")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-workspaces-") as scratch:
        course = load_course(copy_course(REPO, Path(scratch) / "course"))
        roster = Roster(
            Learner(f"learner{i:02d}", "Learner", f"{i:02d}") for i in range(args.learners)
        )
        codes = issue_codes(roster, course_key(course, "signin-codes"))
        save_roster(course, roster)
        cells = lesson_cells(course.root)
        server = ClassroomServer(course)
        server.start(timeout=180)
        try:
            return report(server, codes, cells, args)
        finally:
            server.interrupt()


def report(server: ClassroomServer, codes: dict[str, str], cells: list[str], args: Any) -> int:
    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(codes)) as pool:
        runs = list(pool.map(lambda item: run_learner(server, *item, cells), codes.items()))
    wall = time.perf_counter() - wall
    confined_latencies, unconfined_latencies = side_by_side(
        server, runs, cells, args.cells, args.unconfined
    )
    confined, unconfined = kernel_memory(server)
    to_kernel = [run.to_kernel_s for run in runs]
    lessons = [run.lesson_s for run in runs]
    errors = [f"{run.learner}: {error}" for run in runs for error in run.errors]
    load = os.getloadavg()
    print(f"{len(runs)} learners signed in at once, each ran lesson 1 ({len(cells)} code cells)")
    print(
        f"  machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"  all done in {wall:.1f} s")
    print(
        f"  sign-in to running kernel: p50 {statistics.median(to_kernel):.2f} s, "
        f"p95 {percentile(to_kernel, 0.95):.2f} s, max {max(to_kernel):.2f} s"
    )
    print(f"  lesson 1: p50 {statistics.median(lessons):.2f} s, max {max(lessons):.2f} s")
    for label, sizes in (("confined", confined), ("unconfined", unconfined)):
        if sizes:
            pss, rss = [s[0] for s in sizes], [s[1] for s in sizes]
            print(
                f"  memory per {label} kernel ({len(sizes)}): PSS {statistics.mean(pss):.0f} MB, "
                f"RSS {statistics.mean(rss):.0f} MB; total PSS {sum(pss):.0f} MB"
            )
    print(f"  server RSS {server.rss_mb():.0f} MB")
    for label, values in (("confined", confined_latencies), ("unconfined", unconfined_latencies)):
        print(
            f"  trivial cell, {label}: p50 {statistics.median(values):.1f} ms, "
            f"p95 {percentile(values, 0.95):.1f} ms ({len(values)} cells)"
        )
    if errors:
        print(f"  {len(errors)} cells raised; first: {errors[0]}")
    return 1 if errors or len(confined) != len(runs) else 0


if __name__ == "__main__":
    sys.exit(main())
