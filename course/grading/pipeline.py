"""nbgrader's autograde steps for one notebook, with only the kernel swapped.

``nbgrader autograde`` converts each notebook twice through an nbconvert
``NotebookExporter``: a sanitising pass (``Autograde.sanitize_preprocessors``)
and an autograding pass (``Autograde.autograde_preprocessors``, the first of
which, ``Execute``, starts a fresh kernel). This module runs the very same
preprocessor classes, taken from nbgrader's own ``Autograde`` defaults and
configured from the same traitlets config, in the same order. Cells run on a
forked cell runner instead of a kernel (``runner``); the ``Execute`` instance
is still nbgrader's, and supplies the timeout, the output assembly (nbclient's
``process_message``) and the error rule (``on_cell_executed``).

nbgrader's preprocessors open a new ``Gradebook`` for every notebook (an
engine, a schema check, a course check: tens of milliseconds each). While they
run, ``shared_gradebook`` points them at the one gradebook of the run, whose
commits are deferred, so one submission is written in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import nbformat
import sqlalchemy
from ipykernel.ipkernel import IPythonKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from nbconvert.exporters import NotebookExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import api
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters.autograde import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    Execute,
    latesubmissions,
    overwritecells,
    overwritekernelspec,
    saveautogrades,
)
from traitlets.config import Config

from course.grading.kernel import CellRunner, KernelStartError, RunnerDied

REPLY_GRACE_SECONDS = 0.05
# nbclient's ``metadata.execution`` keys, from the runner's start and end of a cell
_TIMING = {
    "started": ("iopub.status.busy", "iopub.execute_input"),
    "finished": ("iopub.status.idle", "shell.execute_reply"),
}
_GRADEBOOK_USERS = (overwritecells, overwritekernelspec, saveautogrades, latesubmissions)


class _DeferredCommit:
    """A session whose ``commit`` waits: the caller commits once, at the end."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def commit(self) -> None:
        """Nothing yet: autoflush keeps queries right, and the caller flushes and commits once."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class _SourceRow:
    """A read-only copy of a source, grade or task cell row (its columns, as attributes)."""

    def __init__(self, row: Any) -> None:
        for column in sqlalchemy.inspect(row).mapper.column_attrs:
            setattr(self, column.key, getattr(row, column.key))


class BorrowedGradebook(Gradebook):
    """The run's gradebook lent to a preprocessor: closing it is a no-op, commits are deferred.

    The source's cells do not change while a run grades, yet ``OverwriteCells``
    looks every cell up again for every submission (a five-table join each, and a
    reload after each commit). ``find_source_cell`` and ``find_graded_cell`` answer
    from copies of the rows made on first use, kept for the whole run; so do
    ``find_assignment`` (the row object itself) and ``find_student`` (by key).
    """

    def __init__(self, gradebook: Gradebook) -> None:  # no super(): the engine already exists
        self.__dict__.update(gradebook.__dict__)
        self.db = _DeferredCommit(gradebook.db)
        # kept on the run's gradebook: each borrowing (one per step) shares them
        self._source_rows: dict[tuple, _SourceRow | None] = gradebook.__dict__.setdefault(
            "_kit_source_rows", {}
        )
        self._run_rows: dict[tuple, Any] = gradebook.__dict__.setdefault("_kit_run_rows", {})

    def close(self) -> None:
        pass

    def _source_row(self, finder: Any, *key: str) -> Any:
        cache_key = (finder.__name__, *key)
        if cache_key not in self._source_rows:
            try:
                self._source_rows[cache_key] = _SourceRow(finder(self, *key))
            except MissingEntry:
                self._source_rows[cache_key] = None
        row = self._source_rows[cache_key]
        if row is None:
            raise MissingEntry()
        return row

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> Any:  # type: ignore[override]
        return self._source_row(Gradebook.find_source_cell, name, notebook, assignment)

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> Any:  # type: ignore[override]
        return self._source_row(Gradebook.find_graded_cell, name, notebook, assignment)

    def find_notebook(self, name: str, assignment: str) -> Any:  # type: ignore[override]
        """The source notebook row (``OverwriteKernelspec`` reads its kernelspec)."""
        return self._source_row(Gradebook.find_notebook, name, assignment)

    def find_assignment(self, name: str) -> Any:  # type: ignore[override]
        """The assignment's row object, found once a run (every new submission asks for it)."""
        found = self._run_rows.get(("assignment", name))
        if found is None:
            found = self._run_rows[("assignment", name)] = Gradebook.find_assignment(self, name)
        return found

    def find_student(self, student_id: str) -> Any:  # type: ignore[override]
        """By primary key, so the student just flushed comes from the session, not a query."""
        if self.db.autoflush:
            self.db.flush()  # as the query would
        student = self.db.get(api.Student, student_id)
        if student is None:
            raise MissingEntry(f"No such student: {student_id}")
        return student

    def find_submission(self, assignment: str, student: str) -> Any:  # type: ignore[override]
        """The submission being saved, found once (late penalties ask for every notebook)."""
        return self._found(Gradebook.find_submission, assignment, student)

    def find_submission_notebook(self, notebook: str, assignment: str, student: str) -> Any:  # type: ignore[override]
        return self._found(Gradebook.find_submission_notebook, notebook, assignment, student)

    def _found(self, finder: Any, *key: str) -> Any:
        """``finder``'s answer, kept for this submission's save once it exists (misses are not)."""
        found = self.__dict__.setdefault("_found_rows", {})
        cache_key = (finder.__name__, *key)
        if cache_key not in found:
            found[cache_key] = finder(self, *key)
        return found[cache_key]

    def find_grade(self, grade_cell: str, notebook: str, assignment: str, student: str) -> Any:  # type: ignore[override]
        """``SaveAutoGrades``' lookup, from one query for the whole submitted notebook."""
        return self._submitted_row(
            api.Grade, (api.GradeCell, api.TaskCell), grade_cell, notebook, assignment, student
        )

    def find_comment(self, solution_cell: str, notebook: str, assignment: str, student: str) -> Any:  # type: ignore[override]
        return self._submitted_row(
            api.Comment,
            (api.SolutionCell, api.TaskCell),
            solution_cell,
            notebook,
            assignment,
            student,
        )

    def _submitted_row(
        self, model: Any, kinds: tuple, name: str, notebook: str, assignment: str, student: str
    ) -> Any:
        """nbgrader's rule: the row of the first cell kind having that name, else missing."""
        key = (model, notebook, assignment, student)
        rows = self.__dict__.setdefault("_submitted_rows", {})
        if key not in rows:
            found = (
                self.db.query(model, api.BaseCell)
                .join(api.BaseCell, api.BaseCell.id == model.cell_id)
                .join(api.SubmittedNotebook, api.SubmittedNotebook.id == model.notebook_id)
                .join(api.Notebook, api.Notebook.id == api.SubmittedNotebook.notebook_id)
                .join(
                    api.SubmittedAssignment,
                    api.SubmittedAssignment.id == api.SubmittedNotebook.assignment_id,
                )
                .join(api.Assignment, api.Assignment.id == api.SubmittedAssignment.assignment_id)
                .join(api.Student, api.Student.id == api.SubmittedAssignment.student_id)
                .filter(
                    api.Notebook.name == notebook,
                    api.Assignment.name == assignment,
                    api.Student.id == student,
                )
                .all()
            )
            rows[key] = [(row, cell) for row, cell in found]
        for kind in kinds:
            for row, cell in rows[key]:
                if type(cell) is kind and cell.name == name:
                    return row
        raise MissingEntry()


@contextlib.contextmanager
def shared_gradebook(gradebook: Gradebook) -> Iterator[BorrowedGradebook]:
    """Make nbgrader's preprocessors use ``gradebook`` instead of opening their own."""
    borrowed = (
        gradebook if isinstance(gradebook, BorrowedGradebook) else BorrowedGradebook(gradebook)
    )
    saved = [module.Gradebook for module in _GRADEBOOK_USERS]
    for module in _GRADEBOOK_USERS:
        module.Gradebook = lambda *args, **kwargs: borrowed  # type: ignore[assignment]
    try:
        yield borrowed
    finally:
        for module, original in zip(_GRADEBOOK_USERS, saved, strict=True):
            module.Gradebook = original  # type: ignore[assignment]


def _exporter(config: Config, preprocessors: list[type]) -> NotebookExporter:
    config = Config(config)
    config.Exporter.default_preprocessors = []  # as nbgrader's BaseConverter does
    exporter = NotebookExporter(config=config)
    for preprocessor in preprocessors:
        exporter.register_preprocessor(preprocessor)
    return exporter


def _preprocess(
    exporter: NotebookExporter,
    nb: NotebookNode,
    resources: ResourcesDict,
    *,
    trusted: bool,
    final: bool = False,
    session: Any = None,
) -> NotebookNode:
    """``exporter``'s preprocessors on ``nb`` in place, as ``from_notebook_node`` runs them.

    nbconvert deep-copies the notebook twice and validates it after every step
    (about 10 ms a notebook); the notebook here is the grader's own copy. A
    notebook read invalid is validated after the first step, so a submission
    nbconvert would reject still fails there; one read valid stays valid
    through nbgrader's steps. The final notebook is validated after the last
    step of the last pass, as with nbconvert's ``optimistic_validation``.

    With a ``session``, a step's gradebook writes are flushed once when it
    ends rather than before each of its queries (its own queries only read
    rows flushed before it); the next step, late penalties reading the
    scores, sees them all.
    """
    resources = exporter._init_resources(resources)
    steps = exporter._preprocessors
    for index, step in enumerate(steps):
        if session is None:
            nb, resources = step(nb, resources)
        else:
            with session.no_autoflush:
                nb, resources = step(nb, resources)
            session.flush()
        if (final and index == len(steps) - 1) or (index == 0 and not trusted):
            nbformat.validate(nb, relax_add_props=True)
    return nb


@dataclass
class Execution:
    """What happened while running one notebook: the reason it stopped early, if it did."""

    fault: str | None = None
    kernel_start_seconds: float = 0.0
    cells_not_run: int = 0
    confinement: list[str] = field(default_factory=list)


class Pipeline:
    """nbgrader's sanitise / execute / save steps for one assignment, built once per run."""

    def __init__(self, config: Config) -> None:
        self.config = config
        converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
        sanitize = list(converter.sanitize_preprocessors)
        autograde = list(converter.autograde_preprocessors)
        if autograde[0] is not Execute:
            raise RuntimeError("nbgrader's autograde no longer starts with Execute; update the kit")
        self._sanitize = _exporter(config, sanitize)
        self._finish = _exporter(config, autograde[1:])

    def resources(
        self, notebook: str, path: str, student: str, assignment: str, db_url: str
    ) -> ResourcesDict:
        """The resources nbgrader builds for a notebook (``init_single_notebook_resources``)."""
        resources = ResourcesDict()
        resources["unique_key"] = notebook
        resources["output_files_dir"] = f"{notebook}_files"
        resources["nbgrader"] = {
            "student": student,
            "assignment": assignment,
            "notebook": notebook,
            "db_url": db_url,
        }
        resources["metadata"] = ResourcesDict(name=notebook, path=path)
        return resources

    def sanitize(
        self, filename: str, resources: ResourcesDict, gradebook: Gradebook
    ) -> NotebookNode:
        """Pass 1: clear outputs, deduplicate ids, restore kernelspec and locked/test cells."""
        invalid: dict[str, Any] = {}
        with open(filename, encoding="utf-8") as stream:
            nb = nbformat.read(stream, as_version=4, capture_validation_error=invalid)
        with shared_gradebook(gradebook):
            return _preprocess(self._sanitize, nb, resources, trusted=not invalid)

    def finish(self, nb: NotebookNode, resources: ResourcesDict, gradebook: Gradebook) -> str:
        """Pass 2 after execution: limit output, save auto grades and late penalties."""
        with shared_gradebook(gradebook) as borrowed:
            nb = _preprocess(
                self._finish, nb, resources, trusted=True, final=True, session=borrowed.db
            )
        return nbformat.v4.writes(nb) + "\n"

    async def execute(
        self, nb: NotebookNode, resources: ResourcesDict, runner: CellRunner, budget: float
    ) -> Execution:
        """Run every code cell on ``runner`` as nbgrader's ``Execute`` would; stop at ``budget`` s.

        Outputs are assembled by nbclient's own ``process_message`` and the
        reply judged by nbgrader's ``on_cell_executed``, on the ``Execute``
        instance nbgrader would use. Cells that could not run (the kernel
        died, the budget ran out) get an error output saying why, so
        ``determine_grade`` gives them zero.

        All cells are sent at once: the runner runs them back to back, as a
        kernel runs a queue of execute requests, instead of waiting for this
        process (busy with other notebooks) between cells. A student's code
        gains nothing by it: a cell can already watch or replace the cells run
        after it (``pre_run_cell`` hooks), in a kernel as here.
        """
        client = Execute(config=self.config)
        NotebookClient.__init__(client, nb)
        client.reset_execution_trackers()
        client._check_assign_resources(resources)
        report = Execution()
        index = 0
        deadline = asyncio.timeout(budget)
        try:
            async with deadline:
                await runner.start()
                report.kernel_start_seconds = runner.start_seconds
                report.confinement = runner.confinement
                nb.metadata["language_info"] = dict(IPythonKernel.language_info)
                cells = [(i, cell) for i, cell in enumerate(nb.cells) if _runs(client, cell)]
                for _, cell in cells:
                    runner.send({"code": cell.source, "cell_id": cell.get("id")})
                for index, cell in cells:
                    await _run_cell(client, runner, cell, index)
                index = len(nb.cells)
        except TimeoutError:
            report.fault = f"stopped after the notebook's time budget of {budget:.0f} s"
        except (RunnerDied, KernelStartError) as error:
            report.fault = str(error)
        except Exception as error:  # nbclient's own failures (an IOPub timeout), per notebook
            report.fault = f"execution failed: {type(error).__name__}: {error}"
        finally:
            await runner.stop()
        if report.fault:
            report.cells_not_run = _mark_not_run(nb, index, report.fault)
        client.set_widgets_metadata()
        return report


def _runs(client: Execute, cell: NotebookNode) -> bool:
    """nbclient's rule: non-empty code cells run, unless tagged to be skipped."""
    if cell.cell_type != "code" or not cell.source.strip():
        return False
    return client.skip_cells_with_tag not in cell.metadata.get("tags", [])


async def _run_cell(client: Execute, runner: CellRunner, cell: NotebookNode, index: int) -> None:
    """nbclient's ``async_execute_cell`` for one cell already sent, the runner as the kernel."""
    client.code_cells_executed += 1
    cell.outputs = []
    client.clear_before_next_output = False
    reply = await _reply(client, runner, cell, index, client._get_timeout(cell))
    cell["execution_count"] = reply.get("execution_count", cell.get("execution_count"))
    if client.record_timing:
        cell.metadata["execution"] = {
            key: reply[field] for field, keys in _TIMING.items() if reply.get(field) for key in keys
        }
    client.on_cell_executed(cell=cell, cell_index=index, execute_reply={"content": reply})
    client.nb["cells"][index] = cell


async def _reply(
    client: Execute, runner: CellRunner, cell: NotebookNode, index: int, timeout: float | None
) -> dict:
    """The cell's reply, its outputs processed on the way; nbclient's timeout rule.

    On a timeout nbclient interrupts the kernel, takes ``error_on_timeout`` as
    the reply, and still waits ``iopub_timeout`` seconds for the interrupted
    cell's outputs, failing if they never end. The next cells are already
    queued in the runner, so before interrupting, a reply that has just
    arrived gets a moment to be read.
    """
    reply = await _collect_within(timeout, client, runner, cell, index)
    if reply is None:  # a reply already sent is no hang: interrupting would hit the next cell
        reply = await _collect_within(REPLY_GRACE_SECONDS, client, runner, cell, index)
    if reply is not None:
        return reply
    runner.interrupt()
    if await _collect_within(client.iopub_timeout, client, runner, cell, index) is None:
        raise CellTimeoutError.error_from_timeout_and_cell(
            "Timeout waiting for IOPub output", client.iopub_timeout, cell
        )
    return {**client.error_on_timeout, "status": "error"}


async def _collect_within(
    seconds: float | None, client: Execute, runner: CellRunner, cell: NotebookNode, index: int
) -> dict | None:
    """The cell's reply if it comes within ``seconds`` (None: no limit), else None."""
    try:
        async with asyncio.timeout(seconds):
            return await _collect(client, runner, cell, index)
    except TimeoutError:
        return None


async def _collect(client: Execute, runner: CellRunner, cell: NotebookNode, index: int) -> dict:
    while True:
        frame = await runner.receive()
        if "reply" in frame:
            return frame["reply"]
        frame["header"] = {"msg_type": frame["msg_type"]}
        frame["parent_header"] = {}  # cells run one after another: it belongs to this one
        client.process_message(frame, cell, index)


def _mark_not_run(nb: NotebookNode, first: int, reason: str) -> int:
    count = 0
    for cell in nb.cells[first:]:
        if cell.cell_type != "code":
            continue
        cell.outputs.append(
            nbformat.v4.new_output(
                "error", ename="NotExecuted", evalue=reason, traceback=[f"NotExecuted: {reason}"]
            )
        )
        count += 1
    return count


def notebook_ids(directory: str) -> list[str]:
    """The notebooks of a submission folder, by nbgrader notebook id (file name without suffix)."""
    return sorted(name[:-6] for name in os.listdir(directory) if name.endswith(".ipynb"))
