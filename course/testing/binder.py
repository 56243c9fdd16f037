"""Binder's steps, reproduced from a repository's ``binder/`` folder alone.

As repo2docker does for a Python repository: the repository's files (what git
tracks, or would track) in a fresh folder; a fresh virtual environment; ``pip
install -r binder/requirements.txt`` run in the repository; ``binder/postBuild``
run there with the environment first on PATH; then the server started the way
Binder starts it, ``jupyter lab`` in the repository (through ``binder/start`` when
there is one). Nothing of the caller's environment is reused but pip's download
cache.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import venv
from collections.abc import Callable
from pathlib import Path

import httpx

from course.testing.net import free_port

INSTALL_TIMEOUT = 900


class BinderError(RuntimeError):
    """A Binder step failed: the message names the step and ends with its output."""


class BinderBuild:
    """One launch: ``build()`` (copy, install, postBuild), then ``start()`` and ``stop()``."""

    def __init__(self, repository: Path, work: Path) -> None:
        self.repository, self.work = repository, work
        self.repo, self.env = work / "repo", work / "env"
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = work / "server.log"
        self.timings: dict[str, float] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environ(self) -> dict[str, str]:
        """The build's environment: its own bin/ first, nothing of the caller's Python."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTER"))}
        env.pop("PYTHONPATH", None)
        env.pop("VIRTUAL_ENV", None)
        env["PATH"] = f"{self.env / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["HOME"] = str(self.work / "home")
        env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR") or _pip_cache()
        return env

    def build(self) -> None:
        self._timed("copy", self._copy_repository)
        self._timed("venv", lambda: venv.create(self.env, with_pip=True))
        self._timed("install", self._install)
        post_build = self.repo / "binder" / "postBuild"
        if post_build.exists():
            self._timed("postBuild", lambda: self._run("postBuild", [str(post_build)]))

    def start(self, timeout: float = 120) -> None:
        (self.work / "home").mkdir(exist_ok=True)
        command = [
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--IdentityProvider.token={self.token}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ]
        start = self.repo / "binder" / "start"
        if start.exists():
            command = [str(start), *command]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.repo, env=self.environ(), stdout=log, stderr=subprocess.STDOUT
            )
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise BinderError(f"jupyter lab exited:\n{self.tail()}")
            try:
                if self.client().get("/api/status").status_code == 200:
                    self.timings["start"] = time.monotonic() - began
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise BinderError(f"jupyter lab did not answer in {timeout} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {self.token}"}, timeout=120
        )

    def run(self, *command: str) -> str:
        """A command in the built environment, in the repository; what it printed (both
        streams: Jupyter's extension lists go to stderr)."""
        return self._run(command[0], list(command))

    def tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def _copy_repository(self) -> None:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=self.repository,
            capture_output=True,
            check=True,
        ).stdout.split(b"\0")
        for name in filter(None, (n.decode() for n in listed)):
            source, target = self.repository / name, self.repo / name
            if source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)

    def _install(self) -> None:
        requirements = self.repo / "binder" / "requirements.txt"
        pip = [str(self.env / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        self._run("pip install", [*pip, "-r", str(requirements)])

    def _run(self, step: str, command: list[str]) -> str:
        done = subprocess.run(
            command,
            cwd=self.repo,
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-4000:]
            raise BinderError(f"{step} failed ({done.returncode}):\n{output}")
        return done.stdout + done.stderr

    def _timed(self, step: str, action: Callable[[], object]) -> None:
        began = time.monotonic()
        action()
        self.timings[step] = time.monotonic() - began


def _pip_cache() -> str:
    """pip's own cache folder for the caller's user (so a second build downloads nothing)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or str(Path.home() / ".cache" / "pip")
