"""Presentation-app kernels confined as learners' kernels are, for apps served to a room.

An app served to a room runs its kernels for people who hold no login. Voila's own
page cannot send code (``course.present.voila_app`` blocks ``execute_request``), yet a
widget callback runs whatever the notebook defines with what a visitor typed, so the
kernel itself is confined too: by ``course.workspace.provisioner``, as a learner's
kernel is. It starts in the app's own folder (read-only: ``../data`` paths work),
reads the course's notebooks and the system, writes only a scratch folder of the app
server's own (HOME, caches, temporary files), has no network and bounded memory,
CPU time and processes.

``CourseVoila`` turns this on with ``--CourseVoila.confine_to=SCRATCH``: this kernel
manager (the base of Voila's pooled manager, so preheated kernels are confined as
they start) and the confining provisioner as the default.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ApiPath
from traitlets import Int, Unicode

from course import sandbox
from course.workspace.provisioner import LAUNCH_ARGUMENT, KernelConfinement

PROVISIONER = "course-confined-provisioner"  # the entry point in pyproject.toml


class ConfinedAppKernels(AsyncMappingKernelManager):
    """Jupyter's kernel manager, starting every kernel confined (see the module)."""

    scratch = Unicode("", config=True, help="The one folder app kernels may write in.")
    course_root = Unicode("", config=True, help="The course: app kernels may read its notebooks.")
    memory_bytes = Int(2 << 30, config=True, help="Address space of one app kernel, in bytes.")
    cpu_seconds = Int(1800, config=True, help="CPU seconds one app kernel may use in its life.")
    processes = Int(32, config=True, help="Processes and threads of one app kernel.")

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: str | None = None, **kwargs: Any
    ) -> str:
        kwargs[LAUNCH_ARGUMENT] = self.confinement(path)
        api_path = None if path is None else ApiPath(path)
        started: str = await super().start_kernel(kernel_id=kernel_id, path=api_path, **kwargs)
        return started

    def confinement(self, path: str | None) -> KernelConfinement:
        """Where an app kernel for the notebook folder ``path`` may read and write."""
        if not self.scratch or not self.course_root:
            raise PermissionError("app kernels are confined: set scratch and course_root")
        scratch = Path(self.scratch)
        scratch.mkdir(parents=True, exist_ok=True)
        start = Path(str(self.cwd_for_path(path or ""))).resolve()
        return KernelConfinement(
            learner="presentation-app",
            workspace=scratch,
            private=scratch / f"k{secrets.token_hex(4)}",
            runtime=Path(tempfile.gettempdir()) / "course-apps",
            limits=sandbox.Limits(
                memory_bytes=self.memory_bytes,
                cpu_seconds=self.cpu_seconds,
                processes=self.processes,
            ),
            read=(Path(self.course_root).resolve() / "notebooks", start),
            start_in=start,
        )
