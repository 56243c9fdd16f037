"""The fork server: one pre-imported Python that forks a confined ipykernel per notebook.

Why: ``nbgrader autograde`` pays a fresh interpreter, ipykernel, numpy and
pandas import (about a second) for every notebook. Here that cost is paid once;
each notebook gets a fork of the warmed-up process that *becomes* a real
``IPKernelApp`` on its own connection file, so nbclient drives it exactly as it
drives a normal kernel and outputs, errors and stderr behave the same.

Run as ``python -P -m course.grading.forkserver``; it reads one JSON request a
line on stdin (``{"connection_file", "cwd", "argv", "env", "read", "write",
"limits", "cgroup"}``) and answers ``{"pid": ...}`` or ``{"error": ...}``.
Each kernel is forked through a short-lived intermediate that opens a new PID
and network namespace (root only), so the kernel is PID 1 of its namespace and
killing it kills everything the student started. The server itself must stay
single-threaded: forking a process with threads is undefined behaviour.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import traceback
from pathlib import Path

PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot")

# What every kernel would otherwise import again after the fork (about 50 ms of CPU
# each): IPKernelApp.initialize (history's sqlite3, pdb, storemagic, completer,
# tornado's asyncio loop) and IPython's first traceback (stack_data and friends).
# Imports only: nothing here starts a thread or changes how code runs.
KERNEL_MODULES = (
    "faulthandler",
    "sqlite3",
    "pdb",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "stack_data",
    "executing",
    "pure_eval",
    "asttokens",
    "pygments.formatters",
    "pygments.formatters.terminal256",
    "pygments.styles",
    "pygments.console",
)


def preload() -> None:
    """Import what every kernel needs, before the first fork (never after: no threads here)."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import ipykernel.debugger
    import ipykernel.ipkernel
    import ipykernel.kernelapp
    import ipykernel.zmqshell  # noqa: F401
    import IPython.core.interactiveshell  # noqa: F401

    for name in (*PRELOAD, *KERNEL_MODULES):
        try:
            __import__(name)
        except ImportError:
            continue


def main() -> None:
    """Serve spawn requests until stdin closes, then kill every kernel still running."""
    from course.grading import sandbox

    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # intermediates are reaped by the kernel
    spawned: list[int] = []
    print(json.dumps({"ready": os.getpid(), "root": os.geteuid() == 0}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            pid = spawn(request)
            spawned.append(pid)
            answer: dict[str, object] = {"pid": pid}
        except OSError as error:
            answer = {"error": f"could not fork a kernel: {error}"}
        print(json.dumps(answer), flush=True)
    for pid in spawned:
        _kill(pid)
    os._exit(0)  # no slow interpreter teardown of the preloaded modules


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def spawn(request: dict) -> int:
    """Fork the intermediate, which forks the kernel; returns the kernel's pid."""
    read_end, write_end = os.pipe()
    intermediate = os.fork()
    if intermediate == 0:
        os.close(read_end)
        _intermediate(request, write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    if not data:
        raise OSError("the kernel's intermediate process died")
    return int(data)


def _intermediate(request: dict, pipe: int) -> None:
    """Open the namespaces, fork the kernel, report its pid, then wait for it (never returns)."""
    from course.grading import sandbox

    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        namespaces = _unshare(request)
        kernel = os.fork()
        if kernel == 0:
            os.close(pipe)
            _become_kernel(request, namespaces)
        os.write(pipe, str(kernel).encode())
        os.close(pipe)
        os.waitpid(kernel, 0)
    except BaseException:  # the intermediate must never return into the server loop
        code = 1
    os._exit(code)


def _unshare(request: dict) -> list[str]:
    from course.grading import sandbox

    if not request.get("namespaces", True) or os.geteuid() != 0:
        return []
    try:
        sandbox.unshare(sandbox.CLONE_NEWPID | sandbox.CLONE_NEWNET)
    except OSError:
        return []
    return ["pid-namespace", "net-namespace"]


def _become_kernel(request: dict, namespaces: list[str]) -> None:
    """Confine this process, then run ipykernel's own app on the given connection file."""
    run_dir = Path(request["connection_file"]).parent
    try:
        applied = _confine(request) + namespaces
        (run_dir / "confinement.json").write_text(json.dumps(applied))
    except BaseException:
        (run_dir / "failed.txt").write_text(traceback.format_exc())
        os._exit(70)
    try:
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(["-f", request["connection_file"], *request.get("argv", [])])
        app.start()
    finally:
        os._exit(0)


def _confine(request: dict) -> list[str]:
    from course.grading import sandbox

    applied: list[str] = []
    os.setsid()
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
