"""The fork server: one pre-imported Python that forks a confined ipykernel per notebook.

Why: ``nbgrader autograde`` pays a fresh interpreter, ipykernel, numpy and
pandas import (about a second) for every notebook. Here that cost is paid once;
each notebook gets a fork of the warmed-up process, shell included.

Run as ``python -P -m course.grading.forked.server [SOURCE]`` (the assignment's
source folder: what to preload and which cells to prepare, see ``preload``);
it reads one JSON request a line on stdin (``{"run_dir", "socket", "cwd",
"env", "read", "write", "limits", "cgroup"}``) and answers ``{"pid": ...}`` or
``{"error": ...}``.
The fork becomes a cell runner (``course.grading.forked.runner``) on a shell built
here, once, before the first fork.
When root, the server leaves the network at start (a network namespace of its
own, with no interface up, shared by every kernel: making one per kernel cost
more CPU than running a notebook's cells), and each kernel is forked into a
new PID namespace, so the kernel is PID 1 of its namespace and killing it
kills everything the student started. The server itself must stay
single-threaded: forking a process with threads is undefined behaviour.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import sys
import traceback
from collections import deque
from pathlib import Path
from typing import Any


def preload(modules: list[str]) -> None:
    """Import what the kernels will need, before the first fork (never after: no threads here).

    A module that fails to import is left for the student's code to fail on, as it would.
    """
    import ipykernel.ipkernel  # noqa: F401  (as in a kernel: ipykernel's comm functions)

    for name in modules:
        try:
            __import__(name)
        except Exception:
            continue


def _kernel_environment() -> None:
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")


SHELL = None
POOL_SIZE = 6  # kernels forked ahead of need

# Below the grader: it is the one serial step, and student code must not starve it.
RUNNER_NICENESS = 10


def main() -> None:
    """Serve spawn requests until stdin closes, then kill every kernel still running."""
    from course import sandbox
    from course.grading import stand_ins
    from course.grading.forked import shell
    from course.grading.forked.preload import assignment_code, imports

    stand_ins.install()  # before the preload: an exercise importing jsonschema skips its grammar
    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    global SHELL
    _kernel_environment()
    code = assignment_code(Path(sys.argv[1])) if len(sys.argv) > 1 else []
    SHELL = shell.build_shell()  # before pyplot: its inline backend hooks into the shell
    shell.share_traceback_colours()
    preload(imports(code))
    shell.warm_up(SHELL)
    shell.remember_cells(SHELL, code)
    gc.freeze()  # the kernels' collector must not touch (and so copy) the preloaded objects
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped automatically
    _prepare_namespaces()
    print(json.dumps({"ready": os.getpid(), "root": os.geteuid() == 0}), flush=True)
    spawned = _serve(_Requests(sys.stdin.fileno()))
    for pid in spawned:
        _kill(pid)
    os._exit(0)  # no slow interpreter teardown of the preloaded modules


class _Requests:
    """Request lines from a file descriptor, with a way to ask whether one is waiting."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def waiting(self) -> bool:
        return b"\n" in self._buffer or bool(select.select([self._fd], [], [], 0)[0])

    def next(self) -> dict[str, Any] | None:
        while b"\n" not in self._buffer:
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        request: dict[str, Any] = json.loads(line)
        return request


def _serve(requests: _Requests) -> list[int]:
    """Answer each request with a kernel forked ahead of time; fork the next ones while idle.

    A fork takes milliseconds to tens of milliseconds of wall time on a busy
    machine (the page tables of a large process); done between requests, a
    notebook never waits for it.
    """
    pool: deque[tuple[int, int]] = deque()
    spawned: list[int] = []
    while True:
        if len(pool) < POOL_SIZE and not requests.waiting():
            with contextlib.suppress(OSError):
                pool.append(prefork([fd for _, fd in pool]))
                spawned.append(pool[-1][0])
                continue
        request = requests.next()
        if request is None:
            return spawned
        try:
            pid, request_pipe = pool.popleft() if pool else prefork([])
            spawned.append(pid)
            os.write(request_pipe, json.dumps(request).encode() + b"\n")
            os.close(request_pipe)
            answer: dict[str, object] = {"pid": pid}
        except OSError as error:
            answer = {"error": f"could not fork a kernel: {error}"}
        print(json.dumps(answer), flush=True)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def prefork(others: list[int]) -> tuple[int, int]:
    """Fork a kernel that waits for its request; its pid and the pipe to write the request to.

    ``others``, the request pipes of kernels still waiting, are closed in the
    new kernel: no kernel may write another one's request.
    """
    request_read, request_write = os.pipe()
    pid_namespace = _next_fork_in_new_pid_namespace()
    kernel = os.fork()
    if kernel == 0:
        for fd in (request_write, *others):
            os.close(fd)
        namespaces = NAMESPACES + (["pid-namespace"] if pid_namespace else [])
        _become_kernel(request_read, namespaces)
    os.close(request_read)
    return kernel, request_write


NAMESPACES: list[str] = []  # those every kernel shares with the server (``_prepare_namespaces``)
_OWN_PID_NAMESPACE: int | None = None


def _prepare_namespaces() -> None:
    """Root only: leave the network, once for the server and all its kernels; keep a handle
    on the server's PID namespace, to which each fork returns before making a new one."""
    from course import sandbox

    global _OWN_PID_NAMESPACE
    if os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):
        sandbox.unshare(sandbox.CLONE_NEWNET)
        NAMESPACES.append("net-namespace")
    with contextlib.suppress(OSError):
        _OWN_PID_NAMESPACE = os.open("/proc/self/ns/pid", os.O_RDONLY)


def _next_fork_in_new_pid_namespace() -> bool:
    """Make the next child PID 1 of a new PID namespace; False if the host does not allow it.

    ``unshare(CLONE_NEWPID)`` works once per namespace the children go to, so
    the server first points its children back at its own namespace (``setns``).
    """
    from course import sandbox

    if _OWN_PID_NAMESPACE is None:
        return False
    sandbox.setns(_OWN_PID_NAMESPACE, sandbox.CLONE_NEWPID)
    try:
        sandbox.unshare(sandbox.CLONE_NEWPID)
    except OSError:
        return False
    return True


def _become_kernel(request_pipe: int, namespaces: list[str]) -> None:
    """Wait for the request, connect to the grader, confine, then run cells (never returns)."""
    from course import sandbox
    from course.grading.forked import runner

    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    with os.fdopen(request_pipe, "rb") as pipe:
        data = pipe.readline()
    if not data.endswith(b"\n"):  # the server ended without needing this kernel
        os._exit(0)
    request = json.loads(data)
    run_dir = Path(request["run_dir"])
    try:
        sock = runner.connect(request["socket"])
        applied = _confine(request) + namespaces
    except BaseException:
        (run_dir / "failed.txt").write_text(traceback.format_exc())
        os._exit(70)
    try:
        runner.serve(SHELL, sock, str(run_dir), applied)
    finally:
        os._exit(0)


def _confine(request: dict[str, Any]) -> list[str]:
    from course import sandbox

    applied: list[str] = []
    os.setsid()
    os.nice(RUNNER_NICENESS)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
    limits = sandbox.Limits(**request.get("limits", {}))
    root = os.geteuid() == 0
    if request.get("cgroup") and root:
        sandbox.join_pids_cgroup(Path(request["cgroup"]), limits.processes)
        applied.append("pids-cgroup")
    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.chdir(request["cwd"])
    os.environ.update(request.get("env", {}))
    sys.argv = [""]
    _quiet_stdio()
    sandbox.set_limits(limits, nproc=not root)
    applied.append("rlimits" if root else "rlimits+nproc")
    read = [Path(p) for p in request.get("read", [])]
    write = [Path(p) for p in request.get("write", [])]
    abi = sandbox.restrict_filesystem(read, write) if request.get("landlock", True) else 0
    if abi:
        applied.append(f"landlock-abi{abi}")
    if root:
        sandbox.drop_capabilities()
        applied.append("no-capabilities")
    return applied


def _quiet_stdio() -> None:
    """fds 0-2 on /dev/null, as ipykernel captures fd output into the notebook itself."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


if __name__ == "__main__":
    main()
