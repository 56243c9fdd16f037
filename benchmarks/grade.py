"""Benchmark: ``nbgrader autograde`` against ``course grade`` on the same N synthetic submissions.

    .venv/bin/python benchmarks/grade.py [-n 100] [--workers W] [--assignment ps1]

Builds a temporary course from the sample course's exercise (``exercises/<assignment>``
if present, else the small ps1 of the grading tests), releases it with nbgrader,
writes N submissions (correct, partly correct, wrong, erroring, slow), copies the
course, grades one copy with nbgrader's own ``autograde`` (in a subprocess, as
an instructor would run it) and the other with the kit, checks that every grade
cell's score is identical, and prints times, the ratio and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "grading"))

import coursekit as ck  # noqa: E402

BROKEN = "raise RuntimeError('not done yet')"
SLOW = "import time\ntime.sleep(0.5)\n"


def _variant(index: int, rng: random.Random) -> tuple[str, dict[str, str]]:
    kind = ["correct", "correct", "partial", "wrong", "erroring", "slow"][index % 6]
    answers = dict(ck.CORRECT)
    if kind == "partial":
        answers["count_even"] = "def count_even(xs):\n    return len(xs) // 2"
    elif kind == "wrong":
        answers = {}
    elif kind == "erroring":
        answers[rng.choice(["squares", "mean_temp", "count_even"])] = BROKEN
    elif kind == "slow":
        answers["squares"] = SLOW + answers["squares"]
    return kind, answers


def build(base: Path, n: int, seed: int) -> Path:
    root = ck.make_course(base / "kit")
    rng = random.Random(seed)
    for i in range(n):
        _, answers = _variant(i, rng)
        ck.submit(root, f"student{i:04d}", answers)
    return root


def run_nbgrader(root: Path) -> float:
    """``nbgrader autograde ps1`` through its CLI, with a config file as instructors have."""
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'testcourse'\n"
        "c.CourseDirectory.source_directory = 'exercises'\n"
        + "".join(
            f"c.CourseDirectory.{s}_directory = 'var/{s}'\n"
            for s in ("release", "submitted", "autograded", "feedback")
        )
        + f"c.CourseDirectory.db_url = 'sqlite:///{root}/var/gradebook.db'\n"
    )
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    started = time.perf_counter()
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "nbgrader"), "autograde", "ps1"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
    return seconds


def run_kit(root: Path, workers: int) -> tuple[float, float, int, float]:
    """``course grade ps1`` in a child process, so its peak memory is measured on its own.

    The time is the child's whole life (interpreter start, imports, grading, exit),
    as nbgrader's is; the grading call alone is returned too.
    """
    code = (
        "import json, sys, time\n"
        "from course.grading import Options, grade\n"
        "from course.plan import load_course\n"
        "t = time.perf_counter()\n"
        f"r = grade(load_course({str(root)!r}), 'ps1', options=Options(workers={workers}))\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'faults': len(r.needs_look)}))\n"
    )
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_pss_mib(process.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    result = json.loads(process.stdout.read().strip().splitlines()[-1])
    return seconds, result["seconds"], result["faults"], peak


def tree_pss_mib(root: int) -> float:
    """Proportional set size of a process and all its descendants: shared pages counted once."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def one_round(pristine: Path, base: Path, n: int, workers: int, kit_first: bool) -> dict:
    """Grade two fresh copies, one per grader, back to back; compare every grade cell."""
    kit_root = ck.copy_course(pristine, base / "kit")
    nbgrader_root = ck.copy_course(pristine, base / "nbgrader")
    if not kit_first:
        nbgrader_seconds = run_nbgrader(nbgrader_root)
    kit_seconds, grading_seconds, faults, peak = run_kit(kit_root, workers)
    if kit_first:
        nbgrader_seconds = run_nbgrader(nbgrader_root)
    print(
        f"course grade:       {kit_seconds:7.1f} s   (whole process; grading call "
        f"{grading_seconds:.1f} s; {faults} flagged)   "
        f"peak memory {peak:.0f} MiB (PSS, all processes)"
    )
    print(f"nbgrader autograde: {nbgrader_seconds:7.1f} s")
    kit, reference = ck.auto_scores(kit_root), ck.auto_scores(nbgrader_root)
    differing = sorted(key for key in reference if kit.get(key) != reference[key])
    print(f"grade cells compared: {len(reference)}, differing: {len(differing)}")
    for key in differing[:20]:
        print(f"  {key}: kit {kit.get(key)} nbgrader {reference[key]}")
    ratio = nbgrader_seconds / kit_seconds
    print(f"speed-up: {ratio:.1f}x", flush=True)
    return {
        "ratio": ratio,
        "peak": peak,
        "ok": not differing and len(reference) == 4 * n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat side by side (alternating which runs first)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="grade-bench-"))
    try:
        pristine = build(base / "pristine", args.n, args.seed)
        print(f"{args.n} submissions of ps1 in {base}; load average {os.getloadavg()}")
        rounds = []
        for index in range(args.rounds):
            if args.rounds > 1:
                print(f"--- round {index + 1} (load average {os.getloadavg()})")
            rounds.append(
                one_round(pristine, base / f"r{index}", args.n, args.workers, index % 2 == 0)
            )
        ratios = sorted(r["ratio"] for r in rounds)
        if len(rounds) > 1:
            print(
                f"speed-up over {len(rounds)} rounds: min {ratios[0]:.1f}x, "
                f"median {ratios[len(ratios) // 2]:.1f}x, max {ratios[-1]:.1f}x; "
                f"peak memory max {max(r['peak'] for r in rounds):.0f} MiB"
            )
        sys.exit(0 if all(r["ok"] for r in rounds) else 1)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
