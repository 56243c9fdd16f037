"""nbgrader's autograde steps for one notebook, with only the kernel swapped.

``nbgrader autograde`` converts each notebook twice through an nbconvert
``NotebookExporter``: a sanitising pass (``Autograde.sanitize_preprocessors``)
and an autograding pass (``Autograde.autograde_preprocessors``, the first of
which, ``Execute``, starts a fresh kernel). This module runs the very same
preprocessor classes, taken from nbgrader's own ``Autograde`` defaults and
configured from the same traitlets config, in the same order. ``Execute`` is
still nbgrader's class (its timeout, interrupt and error-output rules); it is
only handed a forked kernel manager instead of starting a kernel itself.

nbgrader's preprocessors open a new ``Gradebook`` for every notebook (an
engine, a schema check, a course check: tens of milliseconds each). While they
run, ``shared_gradebook`` points them at the one gradebook of the run, whose
commits are deferred, so one submission is written in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import nbformat
import sqlalchemy
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbconvert.exporters import NotebookExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import api
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters.autograde import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import common as nbgraderformat_common
from nbgrader.preprocessors import (
    Execute,
    latesubmissions,
    overwritecells,
    overwritekernelspec,
    saveautogrades,
)
from traitlets.config import Config

_GRADEBOOK_USERS = (overwritecells, overwritekernelspec, saveautogrades, latesubmissions)


class _DeferredCommit:
    """A session whose ``commit`` only flushes: the caller commits once, at the end."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.flush()

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
    from copies of the rows made on first use, kept for the whole run.
    """

    def __init__(self, gradebook: Gradebook) -> None:  # no super(): the engine already exists
        self.__dict__.update(gradebook.__dict__)
        self.db = _DeferredCommit(gradebook.db)
        if not hasattr(gradebook, "_kit_source_rows"):
            gradebook._kit_source_rows = {}  # type: ignore[attr-defined]
        self._source_rows: dict[tuple, _SourceRow | None] = gradebook._kit_source_rows  # type: ignore[attr-defined]

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


class _CachedJsonschema:
    """``jsonschema.validate`` with the validator built once per schema.

    nbgrader's ``CheckCellMetadata`` calls ``jsonschema.validate`` for every
    cell, which re-checks the schema and rebuilds a validator each time (about
    7 ms a cell). Same validator class, same ``best_match`` error: same result.
    """

    def __init__(self) -> None:
        self._validators: dict[str, Any] = {}

    def validate(self, instance: Any, schema: dict) -> None:
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


@contextlib.contextmanager
def fast_metadata_validation() -> Iterator[None]:
    """Point nbgrader's metadata validator at ``_CachedJsonschema`` for the duration."""
    saved = nbgraderformat_common.jsonschema
    nbgraderformat_common.jsonschema = _CachedJsonschema()  # type: ignore[assignment]
    try:
        yield
    finally:
        nbgraderformat_common.jsonschema = saved


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
        with open(filename, encoding="utf-8") as stream:
            nb = nbformat.read(stream, as_version=4)
        with shared_gradebook(gradebook):
            output, _ = self._sanitize.from_notebook_node(nb, resources=resources)
        return nbformat.reads(output, as_version=4)

    def finish(self, nb: NotebookNode, resources: ResourcesDict, gradebook: Gradebook) -> str:
        """Pass 2 after execution: limit output, save auto grades and late penalties."""
        with shared_gradebook(gradebook):
            output, _ = self._finish.from_notebook_node(nb, resources=resources)
        return output

    async def execute(
        self, nb: NotebookNode, resources: ResourcesDict, km: Any, budget: float
    ) -> Execution:
        """Run every cell with nbgrader's ``Execute`` on ``km``; stop at ``budget`` seconds.

        Cells that could not run (the kernel died, the budget ran out) get an
        error output saying why, so ``determine_grade`` gives them zero.
        """
        client = Execute(config=self.config)
        NotebookClient.__init__(client, nb, km)
        client.reset_execution_trackers()
        client._check_assign_resources(resources)
        report = Execution()
        index = 0
        deadline = asyncio.timeout(budget)
        try:
            async with deadline:
                await client.async_start_new_kernel(cwd=resources["metadata"]["path"])
                report.kernel_start_seconds = getattr(km, "start_seconds", 0.0)
                await client.async_start_new_kernel_client()
                info = await client.async_wait_for_reply(
                    await ensure_async(client.kc.kernel_info())
                )
                if info and "language_info" in info["content"]:
                    nb.metadata["language_info"] = info["content"]["language_info"]
                for index, cell in enumerate(nb.cells):
                    await client.async_execute_cell(cell, index, store_history=True)
                index = len(nb.cells)
        except TimeoutError:
            report.fault = f"stopped after the notebook's time budget of {budget:.0f} s"
        except DeadKernelError:  # nbclient also turns our budget's cancellation into this
            report.fault = (
                f"stopped after the notebook's time budget of {budget:.0f} s"
                if deadline.expired()
                else "the kernel died (the student's code ended the process)"
            )
        except Exception as error:  # nbclient's own failures, recorded per notebook
            report.fault = f"execution failed: {type(error).__name__}: {error}"
        finally:
            await _stop(client, km)
        if report.fault:
            report.cells_not_run = _mark_not_run(nb, index, report.fault)
        client.set_widgets_metadata()
        return report


async def _stop(client: Any, km: Any) -> None:
    with contextlib.suppress(Exception):
        if client.kc is not None:
            client.kc.stop_channels()
    await km.shutdown_kernel(now=True)


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
