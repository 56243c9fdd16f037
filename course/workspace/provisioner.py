"""The kernel provisioner that starts a learner's kernel confined to their workspace.

Jupyter starts every kernel through a provisioner; the course server makes this one
the default (``KernelProvisionerFactory.default_provisioner_name``). A kernel started
with a ``course_confinement`` launch argument (a ``KernelConfinement``, put there by
the course's kernel manager for a learner) is launched through
``course.workspace.confined_kernel``; any other kernel (the instructor's) starts as
jupyter_client's ``LocalProvisioner`` would start it. The launch argument is kept in
the kernel manager's launch arguments, so a restart, even one the restarter makes
without any request, is confined the same way.

For a confined kernel the provisioner also

* gives it a private runtime folder (connection file, ZMQ over Unix sockets: the
  kernel has no network to bind TCP ports in);
* refuses a working directory outside the workspace;
* hands it an environment built from scratch: the server's own variables (tokens,
  hub credentials) never reach learner code;
* makes and afterwards empties its pids cgroup (root), so nothing it started survives.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

import course
from course import sandbox

LAUNCH_ARGUMENT = "course_confinement"
KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "JPY_SESSION_NAME")
PROC_FILES = tuple(
    Path("/proc", name) for name in ("self", "cpuinfo", "meminfo", "stat", "loadavg", "filesystems")
)
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class KernelConfinement:
    """Where one learner's kernel may read and write, its limits and its environment."""

    learner: str
    workspace: Path  # read-write; the kernel's working directory must be inside
    private: Path  # the learner's data folder inside the workspace (HOME, progress store)
    runtime: Path  # a folder for the kernels' private runtime folders (short: socket paths)
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    environment: dict[str, str] = field(default_factory=dict)  # COURSE_* for the kernel
    read: tuple[Path, ...] = ()  # further read-only folders
    # A read-only folder to start in instead of the workspace (a presentation app's own
    # folder, so its relative paths work); it must be one of ``read``.
    start_in: Path | None = None

    def read_paths(self) -> list[Path]:
        """System and Python folders, the kit's own package, and any extra folders.

        Of /proc only the kernel's own entry (``/proc/self``, opened by the kernel) and a
        few machine-wide files: other processes' command lines (a token given on one)
        and working directories are not the learner's to read.
        """
        kit = Path(course.__file__).resolve().parent
        system = [p for p in sandbox.system_read_paths() if p != Path("/proc")]
        return [*system, *PROC_FILES, kit, *self.read]


class ConfinedProvisioner(LocalProvisioner):
    """``LocalProvisioner``, confining the kernels that carry a ``KernelConfinement``."""

    confinement: KernelConfinement | None = None
    kernel_folder: Path | None = None
    cgroup: Path | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        self.confinement = kwargs.pop(LAUNCH_ARGUMENT, None)
        if self.confinement is None:
            return await super().pre_launch(**kwargs)
        confinement = self.confinement
        if confinement.start_in is not None:
            kwargs["cwd"] = str(_start_in(confinement, kwargs.get("cwd")))
        else:
            kwargs["cwd"] = str(_inside(confinement.workspace, kwargs.get("cwd")))
        kwargs["env"] = _environment(kwargs.get("env") or {}, confinement)
        _private_folders(confinement)
        folder = self._private_runtime(confinement)
        kwargs = await super().pre_launch(**kwargs)
        kwargs["cmd"] = self._wrapped(kwargs["cmd"], confinement, folder)
        return kwargs

    def _private_runtime(self, confinement: KernelConfinement) -> Path:
        """Connection file and ipc sockets in a folder of this kernel's own (0700)."""
        km = self.parent
        if km is None:
            raise RuntimeError("a confined kernel needs its kernel manager")
        if self.kernel_folder is None:
            confinement.runtime.mkdir(parents=True, exist_ok=True)
            self.kernel_folder = confinement.runtime / f"k{secrets.token_hex(4)}"
            self.kernel_folder.mkdir(mode=0o700)
        km.transport = "ipc"
        km.cache_ports = False
        km.ip = str(self.kernel_folder / "k")
        km.connection_file = str(self.kernel_folder / "kernel.json")
        return self.kernel_folder

    def _wrapped(self, cmd: list[str], confinement: KernelConfinement, folder: Path) -> list[str]:
        """``python -m ipykernel_launcher ARGS`` → ``python -m …confined_kernel SPEC ARGS``."""
        if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
            raise PermissionError(
                f"learners' kernels must be ipykernel (python -m ipykernel_launcher), not {cmd[:3]}"
            )
        root = sandbox.pids_cgroup_root()
        if root is not None and self.cgroup is None and os.geteuid() == 0:
            self.cgroup = root / f"course-{folder.name}"
        spec = {
            "read": [str(p) for p in confinement.read_paths()],
            "write": [str(confinement.workspace), str(folder)],
            "limits": asdict(confinement.limits),
            "cgroup": str(self.cgroup) if self.cgroup else None,
            "runtime": str(folder),
        }
        return [
            sys.executable,
            "-m",
            "course.workspace.confined_kernel",
            json.dumps(spec),
            *cmd[3:],
        ]

    def applied(self) -> dict[str, list[str]] | None:
        """What the kernel reported it applied (None before it started or when unconfined)."""
        if self.kernel_folder is None:
            return None
        try:
            report: dict[str, list[str]] = json.loads(
                (self.kernel_folder / "confinement.json").read_text()
            )
        except (OSError, ValueError):
            return None
        return report

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if self.cgroup is not None:
            _empty_cgroup(self.cgroup)
            if not restart:
                with contextlib.suppress(OSError):
                    self.cgroup.rmdir()
                self.cgroup = None
        if self.kernel_folder is not None and not restart:
            shutil.rmtree(self.kernel_folder, ignore_errors=True)
            self.kernel_folder = None


def _inside(workspace: Path, cwd: str | None) -> Path:
    """The kernel's working directory, which must be the workspace or a folder in it."""
    real = workspace.resolve()
    wanted = Path(cwd).resolve() if cwd else real
    if wanted != real and real not in wanted.parents:
        raise PermissionError(f"a learner's kernel cannot start in {cwd}: outside {workspace}")
    return wanted


def _start_in(confinement: KernelConfinement, cwd: str | None) -> Path:
    """The read-only folder the kernel starts in, which must be the one asked for."""
    start = Path(str(confinement.start_in)).resolve()
    if start not in [p.resolve() for p in confinement.read] or (
        cwd and Path(cwd).resolve() != start
    ):
        raise PermissionError(f"a confined kernel cannot start in {cwd}: not {start}")
    return start


def _environment(given: dict[str, str], confinement: KernelConfinement) -> dict[str, str]:
    """Only harmless variables of the server, then the learner's own."""
    kept = {k: v for k, v in given.items() if k in KEPT_VARIABLES or k.startswith("LC_")}
    private = confinement.private
    return {
        **kept,
        **SINGLE_THREADED,
        "HOME": str(private / "home"),
        "IPYTHONDIR": str(private / "ipython"),
        "MPLCONFIGDIR": str(private / "matplotlib"),
        "TMPDIR": str(private / "tmp"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONNOUSERSITE": "1",
        "COURSE_LEARNER": confinement.learner,
        "COURSE_LEARNER_DATA": str(private),
        **confinement.environment,
    }


PRIVATE_FOLDERS = ("home", "ipython", "matplotlib", "tmp")


def _private_folders(confinement: KernelConfinement) -> None:
    """The learner's HOME and caches, made only where the workspace really holds them.

    The learner can write in their workspace, so a symbolic link there could point
    the server's own mkdir elsewhere: every folder is checked to resolve inside.
    """
    workspace = confinement.workspace.resolve()
    for name in PRIVATE_FOLDERS:
        folder = confinement.private / name
        parent = folder.parent.resolve()
        if parent != workspace and workspace not in parent.parents:
            raise PermissionError(f"{folder.parent} is not inside the workspace {workspace}")
        folder.parent.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise PermissionError(f"{folder} is not a folder of the workspace")
        folder.mkdir(exist_ok=True)


def _empty_cgroup(group: Path) -> None:
    """SIGKILL whatever the kernel left running (also processes that called setsid)."""
    for _ in range(20):
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
