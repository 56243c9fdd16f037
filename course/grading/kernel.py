"""Kernels from the fork server, behind jupyter_client's own ``AsyncKernelManager`` interface.

nbclient (through nbgrader's ``Execute``) only needs a kernel manager: start,
is_alive, interrupt, shutdown, cleanup, a client. ``ForkedKernelManager``
answers those for a kernel forked by ``forkserver``, so the cell execution
loop, timeouts, interrupts and error outputs stay nbgrader's and nbclient's.
Sockets are Unix-domain (``transport = ipc``): they work across the kernel's
empty network namespace and need no port allocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty
from typing import Any

import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager

from course.errors import CourseError


class KernelStartError(CourseError):
    """The fork server could not give a kernel for a notebook."""


class ForkServer:
    """The parent of every kernel: one pre-imported process, asked over a pipe for forks."""

    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        self._env = env
        self._process: subprocess.Popen[str] | None = None
        self._lock = asyncio.Lock()
        self.root = False

    def launch(self) -> None:
        """Start the server process; its imports (about a second) overlap with the caller's work."""
        if self._process is not None:
            return
        environment = {**os.environ, **(self._env or {})}
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "course.grading.forkserver"],
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

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, minus the fixed 0.2 s of IOPub silence it waits for at start.

    ``wait_for_ready`` asks ``kernel_info`` until the shell replies and one IOPub
    message arrives (proof that the subscription is live), then waits until IOPub
    stays quiet for 0.2 s. Here the wait ends as soon as IOPub delivers the
    ``idle`` status of the answered request: the kernel's last message for it,
    so the subscription is live and nothing of that request is still to come.
    Later messages are filtered by parent id in nbclient, as before.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            with contextlib.suppress(Empty):
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply" and await self._idle_after(reply):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, reply: dict[str, Any], limit: float = 1.0) -> bool:
        """True once IOPub delivered the ``idle`` status of ``reply``'s request."""
        request = reply["parent_header"].get("msg_id")
        end = time.monotonic() + limit
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (
                msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
                and msg["parent_header"].get("msg_id") == request
            ):
                return True
        return False


class ForkedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel is a fork of the ``ForkServer``.

    ``sandbox`` carries the confinement request (paths, limits, cgroup); the
    kernel's working directory is the ``cwd`` nbclient passes to start_kernel.
    """

    def __init__(self, *, server: ForkServer, sandbox: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(transport="ipc", kernel_name="python3", **kwargs)
        self.client_factory = ReadyClient
        self._server = server
        self._sandbox = sandbox
        self._pid: int | None = None
        self._pidfd: int | None = None
        self.start_seconds = 0.0

    @property
    def has_kernel(self) -> bool:
        return self._pid is not None

    @property
    def owns_kernel(self) -> bool:
        return True

    @property
    def ipykernel(self) -> bool:
        return True

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        """Ask for a fork on a fresh ipc connection file; return once its sockets exist."""
        started = time.perf_counter()
        run_dir = Path(self._sandbox["run_dir"])
        self.connection_file = str(run_dir / "kernel.json")
        self.ip = str(run_dir / "k")
        self.write_connection_file()
        request = {
            **self._sandbox,
            "connection_file": self.connection_file,
            "cwd": str(kw.get("cwd") or self._sandbox["cwd"]),
            "argv": list(kw.get("extra_arguments") or []),
        }
        self._pid = await self._server.spawn(request)
        try:
            self._pidfd = os.pidfd_open(self._pid)
        except ProcessLookupError:
            self._pidfd = None
        await self._wait_for_sockets(run_dir)
        self._connect_control_socket()
        self.start_seconds = time.perf_counter() - started

    async def _wait_for_sockets(self, run_dir: Path, limit: float = 30.0) -> None:
        sockets = [Path(f"{self.ip}-{port}") for port in self._ports()]
        deadline = time.monotonic() + limit
        while not all(path.exists() for path in sockets):
            if not self._alive():
                failed = run_dir / "failed.txt"
                reason = failed.read_text() if failed.exists() else "it exited during start-up"
                raise KernelStartError(f"the kernel could not start: {reason.strip()}")
            if time.monotonic() > deadline:
                raise KernelStartError(f"the kernel did not open its sockets within {limit:.0f} s")
            await asyncio.sleep(0.002)

    def _ports(self) -> list[int]:
        return [self.shell_port, self.iopub_port, self.stdin_port, self.hb_port, self.control_port]

    def _alive(self) -> bool:
        if self._pid is None:
            return False
        if self._pidfd is None:
            return _pid_exists(self._pid)
        readable, _, _ = select.select([self._pidfd], [], [], 0)
        return not readable

    async def is_alive(self) -> bool:  # type: ignore[override]
        return self._alive()

    async def interrupt_kernel(self) -> None:  # type: ignore[override]
        self._signal(signal.SIGINT)

    async def signal_kernel(self, signum: int) -> None:  # type: ignore[override]
        self._signal(signum)

    # jupyter_client's clients call the underscored coroutines directly
    _async_is_alive = is_alive
    _async_interrupt_kernel = interrupt_kernel
    _async_signal_kernel = signal_kernel

    def _signal(self, signum: int) -> None:
        if self._pid is not None and self._alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signum)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        """Kill, never ask: the kernel and everything it started die with SIGKILL."""
        self.kill_now()
        deadline = time.monotonic() + 5
        while self._alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        await self.cleanup_resources()

    _async_shutdown_kernel = shutdown_kernel

    def kill_now(self) -> None:
        """SIGKILL the kernel and its process group (its whole PID namespace when root)."""
        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)

    async def cleanup_resources(self, restart: bool = False) -> None:  # type: ignore[override]
        self.cleanup_connection_file()
        self.cleanup_ipc_files()
        self._close_control_socket()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        self._pid = None

    _async_cleanup_resources = cleanup_resources


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def shared_context() -> zmq.asyncio.Context:
    """One zmq context for every kernel client of a run (a context per kernel costs threads)."""
    return zmq.asyncio.Context.instance()
