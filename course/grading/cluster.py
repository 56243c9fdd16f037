"""Grading beyond one machine: the kernels on Dask distributed workers, the gradebook here.

``course grade --scheduler tcp://HOST:8786`` runs the same engine with a
``DaskExecutor`` in place of the local one. This process stays the only
gradebook writer: it sanitises each submission's notebooks as usual and sends
a worker the job (the working copy's files and the sanitised notebooks). The
worker runs them on a fork server of its own, confined exactly as locally, in
a scratch folder of its own, and sends back the executed notebooks and the
working copy's files (those the notebooks wrote included). This process then
saves the grades and writes ``autograded/`` with the same code as local
grading, so the scores are the same.

Each run registers a worker plugin of its own (``GradingWorker``), carrying the
assignment's source folder (the fork server preloads what it imports) and the
run's settings; unregistering it at the end stops the workers' fork servers.
Workers need the kit installed (``pip install 'blended-course-kit[dask]'``), no
shared folder and no database access. A worker thread runs one submission at
a time: start workers with several threads per core (``--nthreads``).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, cast

from distributed import Client, WorkerPlugin, get_worker
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from traitlets.config import Config

from course.grading.execution import Job, LocalExecutor, Notebook
from course.grading.forked.client import ForkServer
from course.grading.pipeline import Execution, mark_not_run
from course.grading.report import GradingError, Options

# a sanitised notebook on its way to a worker: (name, notebook, nbgrader's resources)
NotebookTriple = tuple[str, NotebookNode, ResourcesDict]


def pack(folder: Path) -> dict[str, bytes]:
    """The regular files under ``folder`` by relative path (symbolic links left out)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def unpack(files: dict[str, bytes], folder: Path) -> None:
    """Write ``files`` under ``folder``; a path leading outside it is refused."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder.resolve()
    for name, data in files.items():
        target = (base / name).resolve()
        if not target.is_relative_to(base):
            raise ValueError(f"refusing to write {name!r} outside {folder}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


class GradingWorker(WorkerPlugin):
    """On each worker, for one run: a fork server for the assignment, and the jobs it runs.

    The jobs' coroutines run on one event loop thread of the plugin's (the
    runners' pidfds and sockets live there); Dask's task threads wait on it.
    """

    def __init__(
        self, name: str, source: dict[str, bytes], config: Config, options: Options
    ) -> None:
        self.name = name
        self.source = source
        self.config = config
        self.options = options

    def setup(self, worker: Any) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="course-worker-"))
        unpack(self.source, self.scratch / "source")
        self.server = ForkServer(source=self.scratch / "source")
        self.server.launch()  # its imports overlap with the first jobs' transfer
        self.executor = LocalExecutor(self.server, self.config, self.options)
        self.opened = False
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=self.name, daemon=True)
        self.thread.start()

    def teardown(self, worker: Any) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.executor.close()
        self.server.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def run(
        self, student: str, files: dict[str, bytes], notebooks: list[NotebookTriple]
    ) -> dict[str, Any]:
        """Run one job here; its executed notebooks and its working copy's files."""
        with self.lock:
            if not self.opened:
                self.executor.open()
                self.opened = True
        base = Path(tempfile.mkdtemp(dir=self.scratch, prefix="job-"))
        try:
            job = Job(student, base / "work")
            unpack(files, job.work)
            for name, nb, resources in notebooks:
                resources["metadata"]["path"] = str(job.work)
                job.notebooks.append(Notebook(name, nb, resources))
            asyncio.run_coroutine_threadsafe(self.executor.run(job), self.loop).result()
            return {
                "notebooks": [(n.nb, n.execution) for n in job.notebooks],
                "files": pack(job.work),
            }
        finally:
            shutil.rmtree(base, ignore_errors=True)


def run_on_worker(
    plugin: str, student: str, files: dict[str, bytes], notebooks: list[NotebookTriple]
) -> dict[str, Any]:
    """The task a worker runs for one submission (through the run's plugin)."""
    grading = cast(GradingWorker, get_worker().plugins[plugin])
    return grading.run(student, files, notebooks)


class DaskExecutor:
    """Sends each job to the cluster at ``address``; at most ``capacity`` in flight."""

    def __init__(self, address: str, config: Config, options: Options, source: Path) -> None:
        self.address = address
        self.config = config
        self.options = options
        self.source = source
        self.plugin = f"course-grading-{uuid.uuid4().hex[:12]}"
        self.capacity = 1

    async def __aenter__(self) -> DaskExecutor:
        try:
            self.client = await Client(  # type: ignore[no-untyped-call]
                self.address, asynchronous=True, timeout=30
            )
        except OSError as error:
            raise GradingError(f"cannot reach the Dask scheduler {self.address}: {error}") from None
        plugin = GradingWorker(self.plugin, pack(self.source), self.config, self.options)
        await self.client.register_plugin(plugin, name=self.plugin)
        threads = sum((await self.client.nthreads()).values())
        if not threads:
            await self.close()
            raise GradingError(f"the Dask scheduler {self.address} has no workers")
        self.capacity = 2 * threads  # a job waits on each thread while the last one is saved
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        try:
            await self.client.unregister_worker_plugin(self.plugin)
        finally:
            await self.client.close()

    async def run(self, job: Job) -> None:
        """Run ``job`` on a worker; its notebooks and working copy become the worker's result."""
        notebooks = [(n.name, n.nb, n.resources) for n in job.notebooks]
        try:
            done = await self.client.submit(
                run_on_worker, self.plugin, job.student, pack(job.work), notebooks, pure=False
            )
        except Exception as error:  # the worker or the transfer failed: this job's fault only
            reason = f"the Dask worker failed ({type(error).__name__}: {error})"
            for notebook in job.notebooks:
                notebook.execution = Execution(fault=reason)
                notebook.execution.cells_not_run = mark_not_run(notebook.nb, 0, reason)
            return
        for notebook, (nb, execution) in zip(job.notebooks, done["notebooks"], strict=True):
            notebook.nb, notebook.execution = nb, execution
            notebook.resources["metadata"]["path"] = str(job.work)
        shutil.rmtree(job.work)
        unpack(done["files"], job.work)
