"""Running a submission's notebooks on forked, confined kernels: this machine's or a worker's.

Each notebook of a submission runs in turn in the submission's one private
working copy, as ``nbgrader autograde`` runs them in turn in the autograded
folder: a file the first notebook writes is there for the second, and every
file written ends up in ``autograded/``. Each notebook gets its own runner
(``course.grading.forked``), confined to that working copy.

``LocalExecutor`` is used by the engine on one machine, and by a Dask worker
(``course.grading.cluster``) for the submissions sent to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from traitlets.config import Config

from course import sandbox
from course.grading.forked.client import CellRunner, ForkServer
from course.grading.pipeline import Execution, execute
from course.grading.report import Options


@dataclass
class Notebook:
    """One sanitised notebook of a submission, and what running it did (once it ran)."""

    name: str
    nb: NotebookNode
    resources: ResourcesDict
    execution: Execution | None = None


@dataclass
class Job:
    """A submission ready to run: its working copy and its sanitised notebooks, in order."""

    student: str
    work: Path
    notebooks: list[Notebook] = field(default_factory=list)


class LocalExecutor:
    """Runs jobs on one fork server, at most ``capacity`` notebooks at once."""

    def __init__(self, server: ForkServer, config: Config, options: Options) -> None:
        self.server = server
        self.config = config
        self.options = options
        self.capacity = options.workers or 4 * (os.cpu_count() or 1)
        self.cgroup: Path | None = None
        self._slots: asyncio.Queue[int] | None = None

    def open(self) -> None:
        """Wait for the fork server's imports; make the run's pids cgroup when there is one."""
        self.server.start()
        self.read_paths = [str(path) for path in sandbox.system_read_paths()]
        self.read_paths.append(str(self.server.ipython_dir))
        root = sandbox.pids_cgroup_root() if self.server.root else None
        if root is not None:
            self.cgroup = root / f"course-grade-{os.getpid()}-{id(self):x}"
            self.cgroup.mkdir(exist_ok=True)

    def close(self) -> None:
        if self.cgroup is not None:
            for group in sorted(self.cgroup.glob("slot*"), reverse=True):
                _rmdir_quietly(group)
            _rmdir_quietly(self.cgroup)

    async def __aenter__(self) -> LocalExecutor:
        await asyncio.to_thread(self.open)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def run(self, job: Job) -> None:
        """Run the job's notebooks one after the other in its working copy."""
        if self._slots is None:
            self._slots = asyncio.Queue()
            for slot in range(self.capacity):
                self._slots.put_nowait(slot)
        for index, notebook in enumerate(job.notebooks):
            slot = await self._slots.get()
            try:
                runner = CellRunner(self.server, self._sandbox(slot, job.work, index))
                notebook.execution = await execute(
                    self.config,
                    notebook.nb,
                    notebook.resources,
                    runner,
                    self.options.budget_seconds,
                )
            finally:
                self._slots.put_nowait(slot)

    def _sandbox(self, slot: int, work: Path, index: int) -> dict[str, Any]:
        run = work.parent / f"run{index}"
        shutil.rmtree(run, ignore_errors=True)
        (run / "tmp").mkdir(parents=True)
        return {
            "run_dir": str(run),
            "cwd": str(work),
            "read": self.read_paths,
            "write": [str(work.parent)],
            "landlock": self.options.landlock,
            "limits": asdict(self.options.limits),
            "cgroup": str(self.cgroup / f"slot{slot}") if self.cgroup else None,
            "env": {
                "NBGRADER_EXECUTION": "autograde",
                "TMPDIR": str(run / "tmp"),
                "IPYTHONDIR": str(self.server.ipython_dir),  # shared, read-only
                "MPLCONFIGDIR": str(run / "matplotlib"),
            },
        }


def _rmdir_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()
