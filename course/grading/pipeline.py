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

nbgrader's preprocessors open a new ``Gradebook`` for every notebook; here
they borrow the run's one gradebook (``gradebook.shared_gradebook``).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from nbconvert.exporters import NotebookExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.converters.autograde import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from course.grading.forked.client import CellRunner, KernelStartError, RunnerDied
from course.grading.gradebook import shared_gradebook

REPLY_GRACE_SECONDS = 0.05
# nbclient's ``metadata.execution`` keys, from the runner's start and end of a cell
_TIMING = {
    "started": ("iopub.status.busy", "iopub.execute_input"),
    "finished": ("iopub.status.idle", "shell.execute_reply"),
}


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
    first_cell_at: float | None = None  # wall-clock time the cells were sent to the kernel


class Pipeline:
    """nbgrader's sanitise / execute / save steps for one assignment, built once per run."""

    def __init__(self, config: Config) -> None:
        self.config = config
        converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
        self.converter = converter  # nbgrader's reading of force, permissions, create_student
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
        text: str = nbformat.v4.writes(nb)
        return text + "\n"


async def execute(
    config: Config, nb: NotebookNode, resources: ResourcesDict, runner: CellRunner, budget: float
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
    client = Execute(config=config)
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
            nb.metadata["language_info"] = runner.language_info  # as a kernel reports it
            cells = [(i, cell) for i, cell in enumerate(nb.cells) if _runs(client, cell)]
            for _, cell in cells:
                runner.send({"code": cell.source, "cell_id": cell.get("id")})
            report.first_cell_at = time.time()
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
        report.cells_not_run = mark_not_run(nb, index, report.fault)
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
) -> dict[str, Any]:
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
) -> dict[str, Any] | None:
    """The cell's reply if it comes within ``seconds`` (None: no limit), else None."""
    try:
        async with asyncio.timeout(seconds):
            return await _collect(client, runner, cell, index)
    except TimeoutError:
        return None


async def _collect(
    client: Execute, runner: CellRunner, cell: NotebookNode, index: int
) -> dict[str, Any]:
    while True:
        frame = await runner.receive()
        if "reply" in frame:
            reply: dict[str, Any] = frame["reply"]
            return reply
        frame["header"] = {"msg_type": frame["msg_type"]}
        frame["parent_header"] = {}  # cells run one after another: it belongs to this one
        client.process_message(frame, cell, index)


def mark_not_run(nb: NotebookNode, first: int, reason: str) -> int:
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
