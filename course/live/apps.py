"""The session's presentation app, served to the room by the course server.

A live session's module may name an app (``live.present`` in course.yml). The course
server serves it as ``course present`` does (``course.present``: the kit's Voila with
the course template, a pool of preheated kernels and a cap on visitors), in a child
process of its own on a port of its own, bound to the course server's address, with
every kernel confined (``course.present.confined``): read-only in the app's folder,
writing a scratch folder only, no network.

That port is the participants' door to the app: it serves the one notebook and
nothing else (every other path is Voila's 403), and needs no login, so a phone that
joined with the code opens it straight from the participant page. It starts when the
first participant asks for it (``GET live/sessions/S/me/app``) and stops with the
course server (``stop``).
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from course import sandbox
from course.layout import apps_scratch_folder, log_path
from course.live.errors import Conflict
from course.plan import Course
from course.present import PresentOptions, voila_command
from course.present.serve import voila_env
from course.processes import stop_tree

START_TIMEOUT = 90.0


@dataclass
class App:
    """One running app server."""

    notebook: str
    port: int
    process: subprocess.Popen[bytes]


@dataclass
class RoomApps:
    """The apps the course server serves to rooms, started on first use."""

    course: Course
    ip: str  # the course server's address: the apps bind it too
    pool: int = 2
    max_kernels: int = 60
    _apps: dict[str, App] = field(default_factory=dict)
    _starting: dict[str, asyncio.Future[App]] = field(default_factory=dict)

    def notebook(self, module_id: str) -> str | None:
        """The app of a module (a path in the course), or None when it has none."""
        for module in self.course.modules:
            if module.id == module_id and module.live and module.live.present:
                return module.live.present
        return None

    async def port(self, notebook: str) -> int:
        """The port the app of ``notebook`` listens on, starting it when it is not running
        (once, however many phones ask at the same moment)."""
        app = self._apps.get(notebook)
        if app is not None and app.process.poll() is None:
            return app.port
        starting = self._starting.get(notebook)
        if starting is None or starting.done():
            starting = self._starting[notebook] = asyncio.ensure_future(self._start(notebook))
        return (await asyncio.shield(starting)).port

    async def _start(self, notebook: str) -> App:
        port = _free_port(self.ip)
        options = PresentOptions(
            port=port,
            ip=self.ip,
            open_browser=False,
            pool=self.pool,
            max_kernels=self.max_kernels,
            confine_to=apps_scratch_folder(self.course) / Path(notebook).stem,
        )
        command = voila_command(self.course, notebook, options)
        log = log_path(self.course, f"app-{Path(notebook).stem}")
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command, env=voila_env(), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_ends_with_parent,
            )  # fmt: skip
        app = App(notebook, port, process)
        self._apps[notebook] = app
        await _listening(app, _reachable(self.ip), log)
        return app

    def stop(self) -> None:
        """Stop every app server and its kernels; empty the scratch folders."""
        for app in self._apps.values():
            stop_tree(app.process, grace=5)
        self._apps.clear()
        shutil.rmtree(apps_scratch_folder(self.course), ignore_errors=True)


def _ends_with_parent() -> None:
    """In the app server's process before it runs: SIGTERM when the course server dies,
    however it dies (Voila then stops its kernels), so no app outlives its server."""
    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _reachable(ip: str) -> str:
    """Where this server reaches an app bound to ``ip``."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(ip, ip)


def _free_port(ip: str) -> int:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((_reachable(ip), 0))
        port: int = probe.getsockname()[1]
        return port


async def _listening(app: App, host: str, log: Path) -> None:
    """Wait until the app server accepts connections; Conflict (naming its log) if it
    exits or does not within ``START_TIMEOUT``."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise Conflict(f"the app {app.notebook} did not start; see {log}")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, app.port), 2)
        except (OSError, TimeoutError):
            await asyncio.sleep(0.3)
            continue
        writer.close()
        return
    raise Conflict(f"the app {app.notebook} did not start within {START_TIMEOUT:.0f} s; see {log}")
