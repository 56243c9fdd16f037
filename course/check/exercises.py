"""``course check`` for exercises: is every graded exercise fit to hand out?

An exercise is fit when its source solution earns every autograded point, its
student version earns none of the points that need an answer, its source holds
no stale outputs, and nbgrader accepts its metadata. Scores come from
nbgrader's own ``determine_grade``, and the student version from nbgrader's own
release pipeline (``course.publish.release.student_version``), so a check passes
only if ``course grade`` would agree.

Notebooks run in scratch copies of their exercise folder (a notebook that
writes files cannot dirty the course), several at once, each cell under a
timeout and each notebook under a time budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.nbgraderformat import ValidationError as MetadataError
from nbgrader.nbgraderformat.common import SchemaMismatchError
from nbgrader.utils import determine_grade, is_grade, is_solution

from course.check.lint import CLEAR_OUTPUTS
from course.kernels import private_kernel
from course.layout import SOURCE_DIRECTORY
from course.plan import Course
from course.publish.release import ReleaseError, source_notebooks, student_version

__all__ = ["ExerciseCheck", "async_check_exercises", "check_exercises"]

CELL_TIMEOUT = 30  # seconds, nbgrader's default for Execute.timeout
NOTEBOOK_BUDGET = 300  # seconds for a whole notebook, kernel start included
WORKERS = 2

# what nbgrader records for a cell that timed out, so determine_grade scores it 0
_TIMEOUT_OUTPUT = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["CellTimeoutError: No reply from kernel before timeout"],
}


@dataclass(frozen=True)
class ExerciseCheck:
    """One verdict of ``course check`` about one exercise notebook.

    ``name`` says what was checked, ``detail`` what was found (for a failure:
    which cells or tests, and why), so the CLI can print a table without
    knowing anything about notebooks.
    """

    assignment: str
    name: str
    passed: bool
    detail: str
    notebook: str = ""

    def __str__(self) -> str:
        mark = "ok" if self.passed else "FAIL"
        return f"{mark:4} {self.assignment}/{self.notebook}: {self.name}: {self.detail}"


def check_exercises(
    course: Course,
    assignment: str | None = None,
    *,
    workers: int = WORKERS,
    cell_timeout: int = CELL_TIMEOUT,
    budget: float = NOTEBOOK_BUDGET,
) -> list[ExerciseCheck]:
    """Check one exercise, or every exercise in the plan; see ``async_check_exercises``."""
    return run_sync(async_check_exercises)(
        course, assignment, workers=workers, cell_timeout=cell_timeout, budget=budget
    )


async def async_check_exercises(
    course: Course,
    assignment: str | None = None,
    *,
    workers: int = WORKERS,
    cell_timeout: int = CELL_TIMEOUT,
    budget: float = NOTEBOOK_BUDGET,
) -> list[ExerciseCheck]:
    """Every check of every notebook, in plan order; never raises for a broken exercise.

    Static checks (readable, nbgrader metadata, unique grade ids, no outputs)
    come first; a notebook that fails one of them is not executed, since nbgrader
    could not release or grade it either. ``workers`` kernels run at once.
    """
    assignments = [assignment] if assignment is not None else course.assignments()
    static: list[ExerciseCheck] = []
    runs: list[tuple[str, Path, NotebookNode]] = []
    for name in assignments:
        try:
            notebooks = source_notebooks(course, name)
        except ReleaseError as error:
            static.append(ExerciseCheck(name, "exercise exists", False, str(error)))
            continue
        for path in notebooks:
            checks, nb = _static_checks(course, name, path)
            static += checks
            if nb is not None:
                runs.append((name, path, nb))

    semaphore = asyncio.Semaphore(max(1, workers))

    async def limited(job: Callable[[], Awaitable[ExerciseCheck]]) -> ExerciseCheck:
        async with semaphore:
            return await job()

    jobs: list[Callable[[], Awaitable[ExerciseCheck]]] = []
    for name, path, nb in runs:
        jobs.append(partial(_check_solution, name, path, nb, cell_timeout, budget))
        jobs.append(partial(_check_student, course, name, path, nb, cell_timeout, budget))
    dynamic = await asyncio.gather(*(limited(job) for job in jobs))
    order = {name: i for i, name in enumerate(assignments)}
    return sorted([*static, *dynamic], key=lambda c: (order.get(c.assignment, 0), c.notebook))


def _static_checks(
    course: Course, assignment: str, path: Path
) -> tuple[list[ExerciseCheck], NotebookNode | None]:
    def check(name: str, problems: list[str], ok: str) -> ExerciseCheck:
        detail = "; ".join(problems) if problems else ok
        return ExerciseCheck(assignment, name, not problems, detail, path.name)

    try:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception as error:  # nbformat raises several unrelated types for unreadable files
        shown = f"{SOURCE_DIRECTORY}/{assignment}/{path.name}"
        return [
            check("readable notebook", [f"{shown} is not a readable notebook: {error}"], "")
        ], None

    duplicates = _duplicate_grade_ids(nb)
    metadata = _metadata_problems(nb)
    outputs = [
        f"cell {i} ({_label(cell)}) has {len(cell.outputs)} stored output(s)"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.get("outputs")
    ]
    checks = [
        check("nbgrader metadata valid", metadata, "every nbgrader cell validates"),
        check("grade ids unique", duplicates, f"{len(_grade_ids(nb))} distinct grade ids"),
        check(
            "no outputs in source",
            [*outputs, f"run `{CLEAR_OUTPUTS}` to clear them"] if outputs else [],
            "all code cells cleared",
        ),
    ]
    runnable = not metadata and not duplicates
    return checks, nb if runnable else None


def _grade_ids(nb: NotebookNode) -> list[str]:
    ids = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            ids.append(str(meta.get("grade_id", "")))
    return ids


def _duplicate_grade_ids(nb: NotebookNode) -> list[str]:
    counts = Counter(_grade_ids(nb))
    problems = []
    for grade_id, count in counts.items():
        if count > 1:
            cells = [
                str(i)
                for i, cell in enumerate(nb.cells)
                if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
            ]
            problems.append(
                f"grade id {grade_id!r} is used by {count} cells ({', '.join(cells)}); "
                "nbgrader keeps one score per id, so give each cell its own"
            )
    return problems


def _metadata_problems(nb: NotebookNode) -> list[str]:
    """nbgrader's per-cell validation, every failing cell listed (not only the first)."""
    validator = MetadataValidator()
    problems = []
    for i, cell in enumerate(nb.cells):
        try:
            validator.validate_cell(cell)
        except (MetadataError, SchemaMismatchError) as error:
            message = getattr(error, "message", None) or str(error)
            problems.append(f"cell {i} ({_label(cell)}): {message}")
    return problems


async def _check_solution(
    assignment: str, path: Path, source: NotebookNode, cell_timeout: int, budget: float
) -> ExerciseCheck:
    name = "solution passes every test"
    executed, error = await _execute(source, path.parent, cell_timeout, budget)
    if executed is None:
        return ExerciseCheck(assignment, name, False, error, path.name)
    tests = _autograded_tests(executed)
    failing = [
        f"cell {i} ({_label(cell)}) raised {_why(cell, cell_timeout)}"
        for i, cell in enumerate(executed.cells)
        if cell.cell_type == "code"
        and not any(cell is test for test in tests)
        and any(output.output_type == "error" for output in cell.get("outputs", []))
    ]
    for cell in tests:
        score, points = determine_grade(cell)
        if score is None or score < points:
            why = _why(cell, cell_timeout)
            failing.append(f"{_grade_id(cell)}: {score or 0:g} of {points:g} points ({why})")
    if failing:
        return ExerciseCheck(assignment, name, False, "; ".join(failing), path.name)
    if not tests:
        return ExerciseCheck(assignment, name, True, "no autograded tests", path.name)
    points = sum(determine_grade(cell)[1] for cell in tests)
    detail = f"{len(tests)} autograded tests, {points:g} of {points:g} points"
    return ExerciseCheck(assignment, name, True, detail, path.name)


async def _check_student(
    course: Course,
    assignment: str,
    path: Path,
    source: NotebookNode,
    cell_timeout: int,
    budget: float,
) -> ExerciseCheck:
    name = "student version fails the tests that need an answer"
    try:
        released = student_version(course, assignment, path)
    except ReleaseError as error:
        return ExerciseCheck(
            assignment, name, False, f"nbgrader cannot release it: {error}", path.name
        )
    _restore_tests(released, source)
    executed, failure = await _execute(released, path.parent, cell_timeout, budget)
    if executed is None:
        return ExerciseCheck(assignment, name, False, failure, path.name)
    answered = []
    unchecked = []
    for cell in _autograded_tests(executed):
        if not _after_an_answer(executed, cell):
            unchecked.append(_grade_id(cell))
            continue
        score, points = determine_grade(cell)
        if score is not None and score >= points:
            answered.append(
                f"{_grade_id(cell)} gives all {points:g} points to the unanswered student version"
            )
        elif score:
            answered.append(
                f"{_grade_id(cell)} gives {score:g} of {points:g} points without an answer"
            )
    if answered:
        detail = "; ".join(answered) + " (test the learner's answer, not only its existence)"
        return ExerciseCheck(assignment, name, False, detail, path.name)
    checked = len(_autograded_tests(executed)) - len(unchecked)
    detail = f"{checked} tests score 0 without an answer"
    if unchecked:
        detail += f"; not checked, no answer cell above them: {', '.join(unchecked)}"
    return ExerciseCheck(assignment, name, True, detail, path.name)


async def _execute(
    nb: NotebookNode, folder: Path, cell_timeout: int, budget: float
) -> tuple[NotebookNode | None, str]:
    """Run ``nb`` in a scratch copy of its exercise folder, as nbgrader's Execute would.

    Errors stay in the outputs (``allow_errors``), a cell over the timeout is
    interrupted and recorded as a ``CellTimeoutError``, so ``determine_grade``
    scores it as nbgrader would. Returns the executed notebook, or ``None`` and
    the reason when the kernel could not run it at all.
    """
    nb = nbformat.from_dict(nb)
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        shutil.copytree(
            folder,
            scratch,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
        )
        client = NotebookClient(
            nb,
            timeout=cell_timeout,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout=_TIMEOUT_OUTPUT,
            kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
            resources={"metadata": {"path": scratch}},
            **private_kernel(),
        )
        run = asyncio.ensure_future(client.async_execute(cwd=scratch, stderr=subprocess.DEVNULL))
        finished, _ = await asyncio.wait({run}, timeout=budget)
        if not finished:
            # cancelling makes nbclient shut the kernel down; whatever that raises
            # (often DeadKernelError) says nothing more than "over budget"
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await run
            return None, f"did not finish within its {budget:g} s budget"
        if run.exception() is not None:  # a dead or missing kernel: report it, check the rest
            error = run.exception()
            return None, f"could not be executed: {type(error).__name__}: {error}"
    return nb, ""


def _autograded_tests(nb: NotebookNode) -> list[NotebookNode]:
    return [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)
    ]


def _restore_tests(released: NotebookNode, source: NotebookNode) -> None:
    """Put the hidden tests back, as nbgrader's OverwriteCells does when it grades.

    What matters is the score an untouched student version would get from the
    grader, so a test whose assertions are all hidden is judged on them.
    """
    tests = {_grade_id(cell): cell.source for cell in _autograded_tests(source)}
    for cell in _autograded_tests(released):
        cell.source = tests.get(_grade_id(cell), cell.source)


def _after_an_answer(nb: NotebookNode, test: NotebookNode) -> bool:
    """Whether a code answer cell comes before ``test``: only then can it depend on an answer."""
    for cell in nb.cells:
        if cell is test:
            return False
        if cell.cell_type == "code" and is_solution(cell):
            return True
    return False


def _why(cell: NotebookNode, cell_timeout: int) -> str:
    for output in cell.get("outputs", []):
        if output.output_type == "error" and output.ename in (
            "KeyboardInterrupt",
            "CellTimeoutError",
        ):
            return f"interrupted after the {cell_timeout} s cell timeout"
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".rstrip(": ") + _failing_line(output)
        if output.output_type == "stream" and output.name == "stderr":
            return f"wrote to stderr: {output.text.strip()[:200]}"
        if output.output_type == "execute_result":
            return f"partial credit {output.data.get('text/plain', '')}"
    return "no output"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ARROW = re.compile(r"^-+>\s*(\d+)\s(.*)$")


def _failing_line(error: NotebookNode) -> str:
    """The line IPython's traceback points at in the cell, e.g. the assert that failed."""
    for frame in reversed(error.get("traceback", [])):
        for line in _ANSI.sub("", frame).splitlines():
            match = _ARROW.match(line.strip())
            if match:
                return f" at line {match[1]}: {match[2].strip()[:160]}"
    return ""


def _grade_id(cell: NotebookNode) -> str:
    return str(cell.metadata.nbgrader.get("grade_id", "?"))


def _label(cell: NotebookNode) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("grade_id"):
        return f"grade id {meta['grade_id']!r}"
    first = cell.source.strip().splitlines()[0][:40] if cell.source.strip() else ""
    return f"{cell.cell_type} {first!r}" if first else cell.cell_type
