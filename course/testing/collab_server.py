"""A real Jupyter server with jupyter-collaboration, as a subprocess on loopback.

The server gets the course server's own settings (the course extension applies
``course.live.server_config``: pinned ystore, hidden folders...) and ``course serve``'s
command line (``course.live.server_argv``) plus a token and a document save delay.
Jupyter's config, data and runtime folders point into the test's folder so
nothing leaks in from the machine; extensions that collaboration does not need
are switched off, which makes a start take about 4 s instead of 13 s.

Stopping: SIGKILL (a crash) or SIGINT (Ctrl-C, which exits); SIGTERM can hang
while a collaboration client is connected (see DESIGN.md).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from course.live import server_argv
from course.plan import Course
from course.testing.net import free_port

UNNEEDED = [
    "jupyter_lsp",
    "jupyter_server_terminals",
    "nbclassic",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "notebook",
    "notebook_shim",
    "voila.server_extension",
]


@dataclass
class CollabServer:
    """One course server process; ``start`` again after ``kill`` to simulate a restart."""

    course: Course
    save_delay: float | None = 1.0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    switched_off: list[str] = field(default_factory=lambda: list(UNNEEDED))
    module: str = "jupyter_server"  # what ``python -m`` runs: "course.live" is course serve's
    # True: a plain ``jupyter server`` with jupyter-collaboration and none of the kit (no
    # course extension, settings, identity): the reference benchmarks compare against.
    plain: bool = False
    extra: list[str] = field(default_factory=list)  # more settings, e.g. kernels' limits

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def jupyter_dir(self) -> Path:
        return self.course.data_path / "test-jupyter"

    def argv(self) -> list[str]:
        if self.plain:
            return self._plain_argv()
        args = server_argv(self.course, port=self.port, ip="127.0.0.1", open_browser=False)
        extra = [
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.port_retries=0",
            "--ServerApp.allow_root=True",
            f"--YDocExtension.document_save_delay={self.save_delay}",
            *self.extra,
        ]
        # A setting given twice reaches extensions as a list ("db_path only accepts
        # one value, got 2") and the extension fails to load: the course's own wins.
        given = {arg.split("=", 1)[0] for arg in args}
        return [*args, *(arg for arg in extra if arg.split("=", 1)[0] not in given)]

    def _plain_argv(self) -> list[str]:
        """jupyter-collaboration's defaults, with the course's folder as the root."""
        return [
            f"--ServerApp.root_dir={self.course.root}",
            f"--ServerApp.port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.open_browser=False",
            "--ServerApp.port_retries=0",
            "--ServerApp.allow_root=True",
            f"--IdentityProvider.token={self.token}",
            f"--YDocExtension.document_save_delay={self.save_delay}",
        ]

    def start(self, timeout: float = 60) -> None:
        self.course.data_path.mkdir(parents=True, exist_ok=True)
        config = self.jupyter_dir / "config"
        config.mkdir(parents=True, exist_ok=True)
        (self.jupyter_dir / "data").mkdir(exist_ok=True)  # plain: the file id store goes there
        off = [*self.switched_off, *(["course.live", "course.identity"] if self.plain else [])]
        settings = {"ServerApp": {"jpserver_extensions": dict.fromkeys(off, False)}}
        (config / "jupyter_server_config.json").write_text(json.dumps(settings))
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_DATA_DIR": str(self.jupyter_dir / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.jupyter_dir / "runtime"),
        }
        self.starts += 1
        log = (self.jupyter_dir / f"server-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.argv()],
            cwd=self.jupyter_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.kill()  # a server that never got ready is not left running
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"Jupyter server exited early; see {self.log_text()[-2000:]}")
            try:
                if self._collaboration_ready():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"Jupyter server not ready after {timeout} s")

    def _collaboration_ready(self) -> bool:
        """Ready means the collaboration session handler answers, not just the server.

        /api/status answers while jupyter_server_fileid is still registering its
        file id manager; a session request in that window fails with a 500
        (KeyError: 'file_id_manager'). Once ready, any path gets an id (200 or 201).
        """
        if self.get("/api/status").status_code != 200:
            return False
        response = httpx.put(
            f"{self.url}/api/collaboration/session/.readiness-probe.ipynb",
            json={"format": "json", "type": "notebook"},
            headers={"Authorization": f"token {self.token}"},
            timeout=10,
        )
        return response.status_code in (200, 201)

    def get(self, path: str) -> httpx.Response:
        headers = {"Authorization": f"token {self.token}"}
        return httpx.get(self.url + path, headers=headers, timeout=10)

    def kill(self) -> None:
        """A crash: nothing pending is flushed."""
        self._stop(signal.SIGKILL)

    def interrupt(self) -> None:
        """Ctrl-C: Jupyter's own shutdown (rooms and stores closed)."""
        self._stop(signal.SIGINT)

    def _stop(self, sig: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB (Linux)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process so far, in MB (Linux)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def cpu_seconds(self) -> float:
        """User and system CPU time the server process has used so far (Linux)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_text(self) -> str:
        logs = sorted(self.jupyter_dir.glob("server-*.log"))
        return "\n".join(p.read_text(errors="replace") for p in logs)
