"""The course server's kernel and session managers: every kernel has an owner.

A kernel a learner starts (through a session or the kernels API) is

* started in their workspace only (403 for any other path), from the ``python3``
  spec only, confined by ``course.workspace.provisioner``;
* given their own environment: their roster id, their data folder, a fresh event
  credential (also written to their data folder, where the event queue reads it at
  every send) and the course server's events socket;
* recorded as theirs: the kernels and sessions lists show a learner their own only,
  and the Authorizer refuses them anyone else's kernel.

The instructor's kernels start as Jupyter starts them, with the instructor's own
credential and the events URL on loopback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.services.sessions.sessionmanager import SessionManager
from jupyter_server.utils import ApiPath
from tornado import web
from traitlets import Dict, Int

from course import sandbox
from course.identity.environment import events_environment
from course.identity.events_socket import EVENTS_PATH
from course.identity.service import Identities
from course.identity.users import INSTRUCTOR, CourseUser, current_learner, current_user
from course.learn.events import unix_url
from course.workspace.files import UnsafePath
from course.workspace.provisioner import LAUNCH_ARGUMENT, KernelConfinement
from course.workspace.workspace import Workspace, prepare_workspace, write_credential

LEARNER_KERNELS = ("python3",)


class CourseKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, confining and owning the kernels learners start."""

    learner_memory_bytes = Int(
        2 << 30, config=True, help="Address space of one learner kernel, in bytes."
    )
    learner_cpu_seconds = Int(
        3600,
        config=True,
        help="CPU seconds one learner kernel may use in its life (it is restarted after).",
    )
    learner_processes = Int(64, config=True, help="Processes and threads of one learner kernel.")

    _owners = Dict(help="kernel id -> its owner (CourseUser.owner of who started it)")

    def owner(self, kernel_id: str) -> str | None:
        """Whose kernel this is (``CourseUser.owner``: a learner's id); None for the
        instructor's kernels."""
        owner: str | None = self._owners.get(kernel_id)
        return owner

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: str | None = None, **kwargs: Any
    ) -> str:
        learner = current_learner()
        user = current_user()
        if learner is None and isinstance(user, CourseUser) and user.role != INSTRUCTOR:
            raise web.HTTPError(403, f"a {user.role} cannot start kernels")
        if learner is None:
            kwargs["env"] = {**(kwargs.get("env") or {}), **self._instructor_environment()}
            api_path = None if path is None else ApiPath(path)
            started: str = await super().start_kernel(kernel_id=kernel_id, path=api_path, **kwargs)
            return started
        if kernel_id is not None and kernel_id in self:
            if self.owner(kernel_id) != learner.owner:
                raise web.HTTPError(403, "that kernel is not yours")
            return kernel_id
        kernel_name = kwargs.get("kernel_name") or self.default_kernel_name
        if kernel_name not in LEARNER_KERNELS:
            raise web.HTTPError(403, f"learners' kernels are {', '.join(LEARNER_KERNELS)}")
        workspace = self._workspace_of(learner)
        inside = ApiPath(self._inside(workspace, learner, path))
        kwargs[LAUNCH_ARGUMENT] = self._confinement(learner, workspace)
        kernel: str = await super().start_kernel(kernel_id=kernel_id, path=inside, **kwargs)
        self._owners[kernel] = learner.owner
        return kernel

    def list_kernels(self) -> list[dict[str, Any]]:
        kernels: list[dict[str, Any]] = super().list_kernels()
        learner = current_learner()
        if learner is None:
            return kernels
        return [k for k in kernels if self.owner(k["id"]) == learner.owner]

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        self._owners.pop(kernel_id, None)

    # helpers ---------------------------------------------------------------------

    @property
    def _server(self) -> Any:
        if self.parent is None:
            raise RuntimeError("the course's kernel manager runs inside a Jupyter server")
        return self.parent

    @property
    def _identities(self) -> Identities:
        identities: Identities = self._server.identity_provider.identities
        return identities

    def _workspace_of(self, learner: CourseUser) -> Workspace:
        entry = self._identities.learner(learner.learner)
        if entry is None:
            raise web.HTTPError(403, f"{learner.learner} is not on the roster")
        try:
            return prepare_workspace(self._identities.course, entry)
        except UnsafePath as error:
            raise web.HTTPError(409, f"your workspace has a link where files go: {error}") from None

    def _inside(self, workspace: Workspace, learner: CourseUser, path: str | None) -> str:
        own = self._identities.workspace_path(learner.learner)
        if path is None or path.strip("/") == "":
            return own
        real = Path(str(self.cwd_for_path(path))).resolve()
        if real != workspace.folder.resolve() and workspace.folder.resolve() not in real.parents:
            raise web.HTTPError(403, f"{path} is not in your workspace")
        return path

    def _confinement(self, learner: CourseUser, workspace: Workspace) -> KernelConfinement:
        identities = self._identities
        events = unix_url(identities.events_socket, EVENTS_PATH)
        environment = events_environment(identities.credentials, learner.learner, events)
        write_credential(workspace, environment["COURSE_EVENTS_TOKEN"])
        return KernelConfinement(
            learner=learner.learner,
            workspace=workspace.folder,
            private=workspace.private,
            runtime=identities.runtime,
            limits=sandbox.Limits(
                memory_bytes=self.learner_memory_bytes,
                cpu_seconds=self.learner_cpu_seconds,
                processes=self.learner_processes,
            ),
            environment=environment,
        )

    def _instructor_environment(self) -> dict[str, str]:
        identities = self._identities
        server = self._server
        url = f"http://127.0.0.1:{server.port}{server.base_url.rstrip('/')}{EVENTS_PATH}"
        return events_environment(identities.credentials, identities.instructor_id, url)


class CourseSessionManager(SessionManager):
    """Jupyter's sessions, of which a learner sees only those of their own kernels."""

    async def list_sessions(self) -> list[dict[str, Any]]:
        sessions: list[dict[str, Any]] = await super().list_sessions()
        learner = current_learner()
        if learner is None:
            return sessions
        owner = getattr(self.kernel_manager, "owner", lambda _: None)
        return [
            s for s in sessions if s.get("kernel") and owner(s["kernel"]["id"]) == learner.owner
        ]
