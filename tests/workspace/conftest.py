"""Real ipykernels started through the course's provisioner, confined to one workspace."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from course.sandbox import Limits
from course.workspace.provisioner import LAUNCH_ARGUMENT, ConfinedProvisioner, KernelConfinement


@dataclass
class Reply:
    """What a cell printed, and the error it raised (``"PermissionError"``, or None)."""

    stdout: str
    error: str | None
    evalue: str = ""


@dataclass
class Kernel:
    manager: KernelManager
    workspace: Path

    def run(self, code: str, timeout: float = 60) -> Reply:
        client = self.manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            out: list[str] = []
            errors: list[dict] = []

            def hook(message: dict) -> None:
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    errors.append(content)

            client.execute_interactive(code, output_hook=hook, timeout=timeout)
        finally:
            client.stop_channels()
        error = errors[0] if errors else None
        return Reply("".join(out), error and error["ename"], error["evalue"] if error else "")

    @property
    def provisioner(self) -> ConfinedProvisioner:
        return self.manager.provisioner


@dataclass
class Campus:
    """A course-like folder: a gradebook, exercise sources, two learners' workspaces."""

    root: Path
    gradebook: Path
    source: Path
    runtime: Path

    def workspace(self, learner: str) -> Path:
        return self.root / "var" / "workspaces" / learner


@pytest.fixture
def campus(tmp_path: Path) -> Iterator[Campus]:
    root = tmp_path / "course"
    gradebook = root / "var" / "gradebook.db"
    source = root / "exercises" / "ps1" / "ps1.ipynb"
    for path, text in ((gradebook, "grades"), (source, "hidden tests")):
        path.parent.mkdir(parents=True)
        path.write_text(text)
    for learner in ("ada", "grace"):
        (root / "var" / "workspaces" / learner).mkdir(parents=True)
        (root / "var" / "workspaces" / learner / "notes.txt").write_text(f"{learner}'s notes")
    runtime = Path(tempfile.mkdtemp(prefix="ck-"))  # short: Unix socket paths have 108 bytes
    yield Campus(root, gradebook, source, runtime)
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture(scope="session")
def confined_spec(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """A python3 kernel spec that names the course's provisioner."""
    folder = tmp_path_factory.mktemp("kernels") / "confined"
    folder.mkdir()
    spec = {
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "confined",
        "language": "python",
        "metadata": {"kernel_provisioner": {"provisioner_name": "course-confined-provisioner"}},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    return KernelSpecManager(kernel_dirs=[str(folder.parent)], ensure_native_kernel=False)


StartKernel = Callable[..., Kernel]


@pytest.fixture
def start_kernel(campus: Campus, confined_spec: KernelSpecManager) -> Iterator[StartKernel]:
    """Start a confined kernel for a learner of the campus; every one is shut down after."""
    started: list[KernelManager] = []

    def start(learner: str = "ada", limits: Limits | None = None, **launch) -> Kernel:
        workspace = campus.workspace(learner)
        confinement = KernelConfinement(
            learner=learner,
            workspace=workspace,
            private=workspace / ".course",
            runtime=campus.runtime,
            limits=limits or Limits(memory_bytes=2 << 30, cpu_seconds=60, processes=64),
        )
        manager = KernelManager(kernel_name="confined", kernel_spec_manager=confined_spec)
        started.append(manager)
        launch.setdefault("cwd", str(workspace))
        manager.start_kernel(**{LAUNCH_ARGUMENT: confinement}, **launch)
        return Kernel(manager, workspace)

    yield start
    for manager in started:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
