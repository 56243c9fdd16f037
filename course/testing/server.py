"""A real Jupyter server with the ``course`` extension, in a subprocess on loopback.

Only the course's extensions are enabled (``course.live``, and ``course.identity`` with
the kit's identity classes, as ``course serve`` configures them; JupyterLab, Voila and
nbgrader stay off) so a server starts in seconds; ``kill()`` is a SIGKILL, for the
crash-and-restart tests. ``credential(learner)`` is what that learner's kernel would
hold to post events; ``learner(code)`` signs a learner in with their personal code.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from course.identity import course_credentials
from course.plan import load_course
from course.testing.net import free_port

OTHERS_OFF = {
    "jupyterlab": False,
    "notebook": False,
    "notebook_shim": False,
    "voila.server_extension": False,
    "jupyter_server_ydoc": False,
    "jupyter_server_fileid": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": False,
}


class CourseServer:
    """Start, kill and restart one server on one course folder (same port, same token)."""

    def __init__(self, course: Path, *, db_url: str | None = None, **traits: Any) -> None:
        self.course, self.db_url, self.traits = course, db_url, traits
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = course.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        extensions = {"course.live": True, "course.identity": True, **OTHERS_OFF}
        argv = [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={self.course}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            f"--ServerApp.jpserver_extensions={extensions!r}",
        ]
        if self.db_url:
            argv.append(f"--CourseLiveApp.db_url={self.db_url}")
        argv += [f"--CourseLiveApp.{k}={v!r}" for k, v in self.traits.items()]
        return argv

    def start(self, timeout: float = 90) -> None:
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(self.course.parent / "runtime")}
        env.pop("COURSE_EVENTS_URL", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv(), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.course
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if self.instructor().get("/course/api/live/modules").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not answer in {timeout} s: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what is stored must already be on disk."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def instructor(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {self.token}"}, timeout=30
        )

    def credential(self, learner: str) -> str:
        """A fresh event credential of ``learner``, as the server gives their kernels."""
        return course_credentials(load_course(self.course)).issue(learner)

    def learner(self, code: str) -> httpx.Client:
        """A browser-like client signed in with a learner's personal code."""
        from course.testing.classroom import sign_in

        return sign_in(self.anonymous(), code).client

    def anonymous(self) -> httpx.Client:
        """A client without any Jupyter credentials (a participant's browser)."""
        return httpx.Client(base_url=self.url, timeout=30)

    def ws(self, path: str, client: httpx.Client | None = None) -> ClientConnection:
        """A websocket to ``path`` with the client's cookies and auth header."""
        headers = dict(client.headers) if client else {}
        headers.pop("user-agent", None)
        if client and client.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        keep = {k: v for k, v in headers.items() if k.lower() in ("authorization", "cookie")}
        return connect(
            f"ws://127.0.0.1:{self.port}{path}", additional_headers=keep, open_timeout=20
        )
