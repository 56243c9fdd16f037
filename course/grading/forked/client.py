"""The grader's side of the kernels: the fork server that makes them, and one runner each.

Sockets are Unix-domain: they work across the runner's empty network namespace
and need no port allocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.grading.forked.frames import FRAME_HEADER, MAX_FRAME_BYTES, encode_frame


class KernelStartError(CourseError):
    """The fork server could not give a kernel for a notebook."""


class ForkServer:
    """The parent of every kernel: one pre-imported process, asked over a pipe for forks."""

    def __init__(self, *, source: Path | None = None) -> None:
        self._source = source  # the assignment's source folder: what the server prepares
        self._process: subprocess.Popen[str] | None = None
        self._lock = asyncio.Lock()
        self.root = False
        self.ipython_dir = Path()

    def launch(self) -> None:
        """Start the server process; its imports (about a second) overlap with the caller's work.

        The runners' shell gets a fresh IPython profile folder of its own, not the
        instructor's ``~/.ipython``.
        """
        if self._process is not None:
            return
        self.ipython_dir = Path(tempfile.mkdtemp(prefix="course-ipython-"))
        environment = {**os.environ, "IPYTHONDIR": str(self.ipython_dir)}
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "course.grading.forked.server"]
            + ([str(self._source)] if self._source else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd="/",
            env=environment,
        )

    def start(self) -> None:
        """Launch the server if needed and wait until its imports are done."""
        self.launch()
        assert self._process is not None
        hello = self._process.stdout.readline() if self._process.stdout else ""
        if not hello:
            raise KernelStartError("the kernel fork server did not start (see the log above)")
        self.root = bool(json.loads(hello).get("root"))

    async def spawn(self, request: dict[str, Any]) -> int:
        """Fork one confined kernel; returns its pid (PID 1 of its namespace when root)."""
        assert self._process and self._process.stdin and self._process.stdout
        async with self._lock:
            line = await asyncio.to_thread(self._ask, json.dumps(request))
        answer = json.loads(line) if line else {"error": "the kernel fork server died"}
        if "error" in answer:
            raise KernelStartError(answer["error"])
        return int(answer["pid"])

    def _ask(self, line: str) -> str:
        assert self._process and self._process.stdin and self._process.stdout
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return self._process.stdout.readline()

    def stop(self) -> None:
        """Close the pipe; the server kills any kernel still running and exits."""
        if self._process is None:
            return
        with contextlib.suppress(OSError):
            if self._process.stdin:
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        shutil.rmtree(self.ipython_dir, ignore_errors=True)

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RunnerDied(CourseError):
    """The runner process ended (the student's code killed it, or a limit did)."""


class CellRunner:
    """One forked, confined runner process (``course.grading.forked.runner``), seen from the grader.

    The grader listens on a Unix socket in the runner's private folder before
    asking for the fork; the runner connects, confines itself and says it is
    ready. Its exit is watched through a pidfd, not the socket, since a
    process the student started may hold the socket open.
    """

    def __init__(self, server: ForkServer, sandbox: dict[str, Any]) -> None:
        self._server = server
        self._sandbox = sandbox
        self._pid: int | None = None
        self._pidfd: int | None = None
        self._exited: asyncio.Future[None] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._reading: asyncio.Future[dict[str, Any]] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.start_seconds = 0.0
        self.confinement: list[str] = []
        self.language_info: dict[str, Any] = {}

    async def start(self, limit: float = 30.0) -> None:
        """Fork the runner and wait for its ready frame (the sandbox applied)."""
        started = time.perf_counter()
        run_dir = Path(self._sandbox["run_dir"])
        path = run_dir / "cells.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(path))
            listener.listen(1)
            listener.setblocking(False)
            self._pid = await self._server.spawn({**self._sandbox, "socket": str(path)})
            exited = self._watch_exit()
            loop = asyncio.get_running_loop()
            accept = asyncio.ensure_future(loop.sock_accept(listener))
            waiting: list[asyncio.Future[Any]] = [accept, exited]
            done, _ = await asyncio.wait(
                waiting, timeout=limit, return_when=asyncio.FIRST_COMPLETED
            )
            if accept not in done:
                accept.cancel()
                raise KernelStartError(f"the kernel could not start: {_failure(run_dir, limit)}")
            connection, _ = accept.result()
        finally:
            listener.close()
        self._reader, self._writer = await asyncio.open_unix_connection(sock=connection)
        try:
            ready = await self.receive()
        except RunnerDied:
            reason = _failure(run_dir, limit)
            raise KernelStartError(f"the kernel could not start: {reason}") from None
        self.confinement = list(ready.get("ready", []))
        self.language_info = dict(ready.get("language_info", {}))
        self.start_seconds = time.perf_counter() - started

    def _watch_exit(self) -> asyncio.Future[None]:
        """A future set when the runner's process ends (read from its pidfd)."""
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()
        self._exited = exited
        assert self._pid is not None
        try:
            pidfd = self._pidfd = os.pidfd_open(self._pid)
        except ProcessLookupError:
            exited.set_result(None)
            return exited

        def on_exit() -> None:
            loop.remove_reader(pidfd)
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(pidfd, on_exit)
        return exited

    def send(self, message: dict[str, Any]) -> None:
        assert self._writer is not None
        self._writer.write(encode_frame(message))

    async def receive(self) -> dict[str, Any]:
        """The runner's next frame; ``RunnerDied`` once it is gone and has nothing left to say.

        A receive cancelled by a timeout leaves its read running, so a frame is
        never cut in half; the next receive takes it over.
        """
        assert self._exited is not None
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read_frame())
        reading = self._reading
        waiting: list[asyncio.Future[Any]] = [reading, self._exited]
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if reading not in done:  # exited: what it wrote before dying is still readable
            done, _ = await asyncio.wait([reading], timeout=0.2)
        if reading not in done:
            raise RunnerDied("the kernel died (the student's code ended the process)")
        self._reading = None
        return reading.result()

    async def _read_frame(self) -> dict[str, Any]:
        assert self._reader is not None
        try:
            header = await self._reader.readexactly(FRAME_HEADER.size)
            (size,) = FRAME_HEADER.unpack(header)
            if size > MAX_FRAME_BYTES:
                raise RunnerDied(f"the kernel sent a message of {size} bytes, over the limit")
            frame: dict[str, Any] = json.loads(await self._reader.readexactly(size))
            return frame
        except (asyncio.IncompleteReadError, ConnectionError):
            raise RunnerDied("the kernel died (the student's code ended the process)") from None
        except ValueError as error:
            raise RunnerDied(f"the kernel sent an unreadable message ({error})") from None

    def interrupt(self) -> None:
        """SIGINT, as ``interrupt_kernel`` does: a ``KeyboardInterrupt`` in the running cell."""
        if self._pid is not None and not self._has_exited():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGINT)

    def _has_exited(self) -> bool:
        return self._exited is None or self._exited.done()

    async def stop(self) -> None:
        """Kill, never ask: the runner and everything it started die with SIGKILL."""
        if self._reading is not None:
            self._reading.cancel()
        if self._writer is not None:
            self._writer.close()
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        if self._exited is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._exited), 5)
        if self._pidfd is not None:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        self._pid = None


def _failure(run_dir: Path, limit: float) -> str:
    failed = run_dir / "failed.txt"
    if failed.exists():
        return failed.read_text().strip().splitlines()[-1]
    return f"it exited or did not connect within {limit:.0f} s"
