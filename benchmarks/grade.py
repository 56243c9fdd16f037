"""Benchmark: ``nbgrader autograde`` against ``course grade`` on the same N synthetic submissions.

    .venv/bin/python benchmarks/grade.py [-n 100] [--workers W] [--assignment ps1]
    .venv/bin/python benchmarks/grade.py --submissions 1000 [--sample 30]

Copies the sample course, releases its exercise (``exercises/<assignment>``) with
the kit (nbgrader's own ``GenerateAssignment``), writes N submissions (correct,
partly correct, wrong, erroring, slow), copies the course, grades one copy with
nbgrader's own ``autograde`` (in a subprocess, as an instructor would run it)
and the other with the kit, checks that every grade cell's score is identical,
and prints times, the ratio and peak memory.

``--submissions N`` (scale): two notebooks a submission (the assignment's and
``--also``'s), graded by the kit at 100 and at N submissions; nbgrader grades
a random sample of them (``--sample``), since all N would take hours. The ratio
is nbgrader's time per sampled submission times N, over the kit's time for all
N (each a whole command, start to exit); the sampled submissions' scores are
compared with the kit's. The kit's cost per submission is shown at 100 and at N,
and for each successive tenth of the N-run (as the gradebook fills), from the
times its run records were written.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import submissions

from course.plan import load_course

REPO = Path(__file__).resolve().parent.parent


def build(base: Path, assignment: str, n: int, seed: int) -> Path:
    root = submissions.sample_course(base, assignment)
    submissions.write_submissions(root, assignment, n, seed)
    return root


def run_nbgrader(root: Path, assignment: str) -> float:
    """``nbgrader autograde`` through its CLI, with a config file as instructors have."""
    from course.layout import nbgrader_config

    config = nbgrader_config(load_course(root))
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        + "".join(
            f"c.{section}.{key} = {value!r}\n"
            for section in ("CourseDirectory", "Exchange")
            for key, value in config[section].items()
        )
    )
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    started = time.perf_counter()
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "nbgrader"), "autograde", assignment],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
    return seconds


def run_kit(
    root: Path, assignment: str, workers: int, sample: bool, interval: float = 0.05
) -> tuple[float, float, str]:
    """``course grade`` as an instructor runs it; its wall time, and its peak memory if ``sample``.

    The time is the command's whole life (interpreter start, imports, grading,
    exit), as nbgrader's is. Sampling memory reads /proc for every process 20
    times a second, which costs CPU on a 2-core machine, so the timed run and
    the sampled run are separate runs on separate copies.
    """
    command = [os.path.join(os.path.dirname(sys.executable), "course"), "--course", str(root)]
    command += ["grade", assignment] + (["--workers", str(workers)] if workers else [])
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    )
    peak = 0.0
    while sample and process.poll() is None:
        peak = max(peak, tree_pss_mib(process.pid))
        time.sleep(interval)
    output, errors = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        print(errors.decode()[-3000:], file=sys.stderr)
    return seconds, peak, output.decode()


def first_notebook(output: str) -> str:
    """The kit's own measure: from the command's start to its first notebook's cells sent."""
    for line in output.splitlines():
        if line.startswith("first notebook running"):
            return line.split("running", 1)[1].strip()
    return "not reported"


def flagged(root: Path, assignment: str) -> int:
    """Submissions the kit's run log says need a look."""
    logs = (root / "var" / "grading" / assignment).glob("*.json")
    return sum(1 for log in logs if json.loads(log.read_text()).get("faults"))


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


def one_round(pristine: Path, base: Path, args: argparse.Namespace, kit_first: bool) -> dict:
    """Grade two fresh copies, one per grader, back to back; compare every grade cell."""
    kit_root = Path(shutil.copytree(pristine, base / "kit"))
    sampled_root = Path(shutil.copytree(pristine, base / "kit-memory"))
    nbgrader_root = Path(shutil.copytree(pristine, base / "nbgrader"))
    os.sync()  # the copies' writeback must not land in whichever grader runs first
    if not kit_first:
        nbgrader_seconds = run_nbgrader(nbgrader_root, args.assignment)
    kit_seconds, _, output = run_kit(kit_root, args.assignment, args.workers, sample=False)
    if kit_first:
        nbgrader_seconds = run_nbgrader(nbgrader_root, args.assignment)
    _, peak, _ = run_kit(sampled_root, args.assignment, args.workers, sample=True)
    print(
        f"course grade:       {kit_seconds:7.1f} s   (whole command; "
        f"{flagged(kit_root, args.assignment)} flagged)   "
        f"peak memory {peak:.0f} MiB (PSS, all processes, in a second run)"
    )
    print(f"first notebook running {first_notebook(output)}")
    print(f"nbgrader autograde: {nbgrader_seconds:7.1f} s")
    course_id = load_course(kit_root).id
    kit = submissions.auto_scores(kit_root, course_id, args.assignment)
    reference = submissions.auto_scores(nbgrader_root, course_id, args.assignment)
    expected = args.n * submissions.grade_cell_count(kit_root, course_id, args.assignment)
    differing = sorted(key for key in reference if kit.get(key) != reference[key])
    print(f"grade cells compared: {len(reference)}, differing: {len(differing)}")
    for key in differing[:20]:
        print(f"  {key}: kit {kit.get(key)} nbgrader {reference[key]}")
    ratio = nbgrader_seconds / kit_seconds
    print(f"speed-up: {ratio:.1f}x", flush=True)
    return {
        "ratio": ratio,
        "peak": peak,
        "ok": not differing and len(reference) == len(kit) == expected,
    }


def keep_only(root: Path, students: list[str]) -> Path:
    """Remove every submission but ``students``' from a copied course."""
    for folder in (root / "var" / "submitted").iterdir():
        if folder.name not in students:
            shutil.rmtree(folder)
    return root


def tenths(root: Path, assignment: str, started: float) -> list[float]:
    """Seconds spent on each successive tenth of the submissions, from the run records' times."""
    records = sorted(p.stat().st_mtime for p in (root / "var/grading" / assignment).glob("*.json"))
    tenth = max(1, len(records) // 10)
    marks = [started] + [records[min(len(records), (i + 1) * tenth) - 1] for i in range(10)]
    return [later - earlier for earlier, later in itertools.pairwise(marks)]


def scale(args: argparse.Namespace, base: Path) -> bool:
    """Kit at 100 and at N submissions, nbgrader on a random sample; see the module docstring."""
    import random

    n = args.submissions
    pristine = submissions.sample_course(base / "pristine", args.assignment, also=args.also)
    submissions.write_submissions(pristine, args.assignment, n, args.seed)
    students = sorted(p.name for p in (pristine / "var" / "submitted").iterdir())
    print(f"{n} submissions of {args.assignment} (+ {args.also}'s notebook) in {base}")
    print(f"load average {os.getloadavg()}")
    hundred = keep_only(Path(shutil.copytree(pristine, base / "k100")), students[:100])
    kit_100, _, _ = run_kit(hundred, args.assignment, args.workers, sample=False)
    full = Path(shutil.copytree(pristine, base / "kN"))
    os.sync()
    wall_start = time.time()
    kit_n, peak, output = run_kit(full, args.assignment, args.workers, sample=True, interval=0.5)
    sample = sorted(random.Random(args.seed).sample(students, min(args.sample, n)))
    reference = keep_only(Path(shutil.copytree(pristine, base / "nb")), sample)
    nbgrader_sample = run_nbgrader(reference, args.assignment)
    per_nbgrader = nbgrader_sample / len(sample)
    print(f"load average {os.getloadavg()}")
    print(
        f"course grade, 100 submissions: {kit_100:7.1f} s  = {kit_100 / 100:.3f} s per submission"
    )
    print(f"course grade, {n} submissions: {kit_n:7.1f} s  = {kit_n / n:.3f} s per submission")
    print(f"  peak memory {peak:.0f} MiB (PSS of all its processes, sampled twice a second)")
    print(f"  first notebook running {first_notebook(output)}")
    print(
        "  seconds per tenth of the run: "
        + " ".join(f"{t:.1f}" for t in tenths(full, args.assignment, wall_start))
    )
    print(
        f"nbgrader autograde, {len(sample)} random submissions of the {n}: {nbgrader_sample:.1f} s"
        f" = {per_nbgrader:.2f} s per submission"
    )
    ratio = per_nbgrader * n / kit_n
    print(
        f"speed-up at {n}: {ratio:.1f}x  (nbgrader's {per_nbgrader:.2f} s per sampled submission"
        f" x {n} = {per_nbgrader * n:.0f} s, over the kit's {kit_n:.1f} s for all {n})"
    )
    course_id = load_course(full).id
    kit = submissions.auto_scores(full, course_id, args.assignment)
    theirs = submissions.auto_scores(reference, course_id, args.assignment)
    differing = sorted(key for key in theirs if kit.get(key) != theirs[key])
    print(f"grade cells compared (the sample): {len(theirs)}, differing: {len(differing)}")
    for key in differing[:20]:
        print(f"  {key}: kit {kit.get(key)} nbgrader {theirs[key]}")
    expected = len(sample) * submissions.grade_cell_count(full, course_id, args.assignment)
    return not differing and len(theirs) == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument(
        "--submissions", type=int, default=0, help="scale mode: N two-notebook submissions"
    )
    parser.add_argument("--sample", type=int, default=30, help="scale mode: nbgrader's sample")
    parser.add_argument("--also", default="ps2", help="scale mode: the second notebook's exercise")
    parser.add_argument("--assignment", default="ps1", help="an exercise of the sample course")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat side by side (alternating which runs first)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="grade-bench-"))
    if args.submissions:
        try:
            sys.exit(0 if scale(args, base) else 1)
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
    try:
        pristine = build(base / "pristine", args.assignment, args.n, args.seed)
        print(f"{args.n} submissions of {args.assignment} in {base}")
        print(f"load average {os.getloadavg()}")
        rounds = []
        for index in range(args.rounds):
            if args.rounds > 1:
                print(f"--- round {index + 1} (load average {os.getloadavg()})")
            rounds.append(one_round(pristine, base / f"r{index}", args, index % 2 == 0))
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
