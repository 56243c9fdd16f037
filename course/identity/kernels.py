"""The course server's kernel and session managers: every kernel has an owner.

A kernel a learner starts (through a session or the kernels API) is

* started in their workspace only (403 for any other path), from the ``python3``
  spec only, confined by ``course.workspace.provisioner``;
* given their own environment: their roster id, their data folder, a fresh event
  credential (also written to their data folder, where the event queue reads it at
  every send) and the course server's events socket;
* recorded as theirs: the kernels and sessions lists show a learner their own only,
  and the Authorizer refuses them anyone else's kernel.

A live group's members (participants, or learners in the group) share one kernel per
group, started by whoever runs a cell first in the group's folder, confined to that
folder with no event credential, and owned by the group (``CourseUser.group``): every
member reaches it, no one else but the instructor does.

The instructor's kernels start as Jupyter starts them, with the instructor's own
credential and the events URL on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from course.identity.users import INSTRUCTOR, CourseUser, current_user
from course.learn.events import unix_url
from course.workspace.files import UnsafePath
from course.workspace.provisioner import LAUNCH_ARGUMENT, KernelConfinement
from course.workspace.workspace import Workspace, prepare_workspace, write_credential

LEARNER_KERNELS = ("python3",)
RESTART_ATTEMPTS = 3


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
    group_memory_bytes = Int(
        1 << 30, config=True, help="Address space of one live group's kernel, in bytes."
    )
    group_cpu_seconds = Int(
        1800,
        config=True,
        help="CPU seconds one live group's kernel may use before it is stopped (and restarted).",
    )
    group_processes = Int(32, config=True, help="Processes and threads of one group's kernel.")

    _owners = Dict(help="kernel id -> its owner (CourseUser.owner of who started it)")
    _group_kernels = Dict(help="live group -> its one kernel")
    _group_locks = Dict(help="live group -> the lock that starts its kernel once")

    def owner(self, kernel_id: str) -> str | None:
        """Whose kernel this is (``CourseUser.owner``: a learner's id); None for the
        instructor's kernels."""
        owner: str | None = self._owners.get(kernel_id)
        return owner

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: str | None = None, **kwargs: Any
    ) -> str:
        user = current_user()
        if isinstance(user, CourseUser) and user.group and self._in_group(user, path):
            return await self._group_kernel(user, kernel_id, path, **kwargs)
        learner = user if isinstance(user, CourseUser) and user.is_learner else None
        if learner is None and isinstance(user, CourseUser) and user.role != INSTRUCTOR:
            raise web.HTTPError(403, f"a {user.role} starts kernels only in their group's folder")
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

    async def _group_kernel(
        self, user: CourseUser, kernel_id: str | None, path: str | None, **kwargs: Any
    ) -> str:
        """The group's one kernel: the running one, or a new one confined to its folder."""
        if kernel_id is not None and kernel_id in self:
            if self.owner(kernel_id) not in user.owners:
                raise web.HTTPError(403, "that kernel is not your group's")
            return kernel_id
        async with self._group_locks.setdefault(user.group, asyncio.Lock()):
            running = self._group_kernels.get(user.group)
            if running is not None and running in self:
                return str(running)
            kernel_name = kwargs.get("kernel_name") or self.default_kernel_name
            if kernel_name not in LEARNER_KERNELS:
                raise web.HTTPError(403, f"group kernels are {', '.join(LEARNER_KERNELS)}")
            kwargs[LAUNCH_ARGUMENT] = self._group_confinement(user)
            where = ApiPath(path or user.group_folder)
            kernel: str = await super().start_kernel(path=where, **kwargs)
            self._owners[kernel] = user.group
            self._group_kernels[user.group] = kernel
            self.log.info("course: kernel %s of group %s started", kernel, user.group)
            return kernel

    def _in_group(self, user: CourseUser, path: str | None) -> bool:
        """Whether ``path`` (a kernel's folder) is the user's group folder or inside it."""
        folder = self._root / user.group_folder
        real = Path(str(self.cwd_for_path(path))).resolve() if path else folder
        return real == folder or folder in real.parents

    def _group_confinement(self, user: CourseUser) -> KernelConfinement:
        folder = self._root / user.group_folder
        return KernelConfinement(
            learner=user.group,
            workspace=folder,
            private=folder / ".course",
            runtime=self._identities.runtime,
            limits=sandbox.Limits(
                memory_bytes=self.group_memory_bytes,
                cpu_seconds=self.group_cpu_seconds,
                processes=self.group_processes,
            ),
        )

    @property
    def _root(self) -> Path:
        return Path(self.root_dir).resolve()

    def list_kernels(self) -> list[dict[str, Any]]:
        kernels: list[dict[str, Any]] = super().list_kernels()
        user = scoped_user()
        if user is None:
            return kernels
        return [k for k in kernels if self.owner(k["id"]) in user.owners]

    async def restart_kernel(self, kernel_id: str, now: bool = False) -> Any:  # type: ignore[override]
        """Jupyter's restart, also while the restarter is restarting the kernel: a kernel its
        limits stopped is being restarted when its members press restart, and jupyter_client
        then fails the second restart on its shared ``ready`` future (InvalidStateError,
        after the work is done): wait for the first, and try again."""
        for attempt in range(RESTART_ATTEMPTS):
            ready = getattr(self.get_kernel(kernel_id), "ready", None)
            if isinstance(ready, asyncio.Future) and not ready.done():
                with contextlib.suppress(Exception):  # a failed restart: ours tries again
                    await asyncio.wait_for(asyncio.shield(ready), self.kernel_info_timeout)
            try:
                return await super().restart_kernel(kernel_id, now=now)
            except asyncio.InvalidStateError:
                if attempt == RESTART_ATTEMPTS - 1:
                    raise
                self.log.info("course: kernel %s was restarting; restarting it again", kernel_id)
                await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        owner = self._owners.pop(kernel_id, None)
        if owner is not None and self._group_kernels.get(owner) == kernel_id:
            self._group_kernels.pop(owner, None)

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


def scoped_user() -> CourseUser | None:
    """The learner or group member making the current request; None for the instructor."""
    user = current_user()
    if isinstance(user, CourseUser) and user.role != INSTRUCTOR:
        return user
    return None


class CourseSessionManager(SessionManager):
    """Jupyter's sessions, of which a learner or group member sees only those of kernels
    they may use."""

    async def list_sessions(self) -> list[dict[str, Any]]:
        sessions: list[dict[str, Any]] = await super().list_sessions()
        user = scoped_user()
        if user is None:
            return sessions
        owner = getattr(self.kernel_manager, "owner", lambda _: None)
        return [s for s in sessions if s.get("kernel") and owner(s["kernel"]["id"]) in user.owners]
