"""Long-running commands stop with their whole process tree, whatever stops them.

``course serve`` and ``course present`` run their server as a child of the ``course``
process, in a session of its own, and ``supervise`` waits for it. SIGTERM (a
supervisor, ``kill``), SIGINT (Ctrl-C) and SIGHUP (the terminal closed) all mean the
same to the command: the server gets SIGTERM and ``grace`` seconds to shut its
kernels down, then whatever is left of its tree is killed.

Why the command does not leave this to the server: a server killed outright leaves
its kernels running (jupyter_client starts each kernel in a session of its own, so
a process-group kill misses them, and they outlive their parent for a while), and
a server can fail to exit at all (Jupyter Server with a collaboration client
connected, DESIGN.md). On Linux the command is also a child subreaper, so a
process orphaned inside the tree comes back to it instead of to init and is found.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import psutil

from course.errors import CourseError

__all__ = [
    "GRACE",
    "STOP_SIGNALS",
    "ProcessFailed",
    "descendants",
    "errors_on_stdout",
    "start_log",
    "stop_tree",
    "supervise",
]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE = 5.0  # seconds a server has to stop its kernels before the rest of its tree is killed
_PR_SET_CHILD_SUBREAPER = 36


class ProcessFailed(CourseError):
    """A supervised server exited on its own with an error; the message ends with its log."""


def supervise(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    name: str = "server",
    grace: float = GRACE,
    cwd: Path | None = None,
) -> None:
    """Run ``command`` until it exits or a stop signal comes; its process tree never outlives it.

    The child's standard output stays this process's (what the user needs: URLs,
    errors); its standard error, where servers and their kernels log, goes to
    ``log`` when one is given (it is replaced, the previous run's kept as ``.1``).
    A stop asked for is a clean stop, whatever the child's exit code; when the child
    exits on its own with an error, ``ProcessFailed`` says so, with the end of its log.
    A second stop signal skips the rest of the grace period. ``cwd`` is where the
    child runs (nbgrader's extensions read ``nbgrader_config.py`` from there).
    """
    _become_subreaper()
    requested: list[float] = []
    children: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: object) -> None:
        requested.append(time.monotonic() if not requested else 0.0)
        for child in children:
            with suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    errors = start_log(log).open("wb") if log else None
    try:
        child = subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
        children.append(child)
        if requested:  # the signal came while the child was being started
            os.kill(child.pid, signal.SIGTERM)
        code = _wait(child, requested, grace)
    finally:
        _kill_left(descendants(os.getpid()))
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if errors:
            errors.close()
    if code and not requested:
        tail = f"; the end of its log ({log}):\n{log_tail(log)}" if log else ""
        raise ProcessFailed(f"the {name} stopped with exit code {code}{tail}")


def stop_tree(process: subprocess.Popen[bytes], grace: float = GRACE) -> None:
    """SIGTERM to ``process``; once it exited (or after ``grace`` s) kill the rest of its tree."""
    tree = descendants(process.pid)
    if process.poll() is None:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    _kill_left([*tree, *descendants(process.pid)])
    if process.poll() is None:
        process.kill()
    process.wait(5)


def errors_on_stdout(logger: str) -> dict[str, object]:
    """A traitlets ``logging_config`` adding the ERROR records of ``logger`` to standard output.

    A supervised server's standard error is its log file; its standard output is the
    user's terminal, which should show what went wrong and nothing else. CRITICAL is
    left out: Jupyter logs its banner and "received signal 15, stopping" at that
    level, and a server that fails to start exits, which ``supervise`` reports.
    """
    return {
        "filters": {"errors": {"()": _OnlyErrors}},
        "handlers": {
            "terminal": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "level": "ERROR",
                "formatter": "console",
                "filters": ["errors"],
            }
        },
        "loggers": {logger: {"handlers": ["console", "terminal"]}},
    }


class _OnlyErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno == logging.ERROR


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below ``pid`` (children, their children, …), or none once it is gone."""
    with suppress(psutil.Error):
        return psutil.Process(pid).children(recursive=True)
    return []


def log_tail(path: Path, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file, for an error message ('' when there is none)."""
    with suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def _wait(child: subprocess.Popen[bytes], requested: list[float], grace: float) -> int:
    """Wait for the child; once a stop was requested, at most ``grace`` seconds before killing."""
    tree: set[psutil.Process] = set()
    while True:
        with suppress(subprocess.TimeoutExpired):
            return child.wait(timeout=0.5)
        if not requested:
            continue
        tree.update(descendants(child.pid))  # a kernel orphaned from now on is still found
        if time.monotonic() - requested[-1] > grace:
            _kill_left([*tree, *_process(child.pid)])
            return child.wait()


def _process(pid: int) -> list[psutil.Process]:
    with suppress(psutil.Error):
        return [psutil.Process(pid)]
    return []


def _kill_left(processes: Sequence[psutil.Process], patience: float = 2.0) -> None:
    """SIGTERM to those of ``processes`` still running, SIGKILL to those that ignore it."""
    alive = []
    for process in dict.fromkeys(processes):  # psutil.Process hashes by pid and start time
        with suppress(psutil.Error):
            process.terminate()
            alive.append(process)
    _, stubborn = psutil.wait_procs(alive, timeout=patience)
    for process in stubborn:
        with suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(stubborn, timeout=patience)


def _become_subreaper() -> None:
    """Linux: orphans of the tree are re-parented here, where ``descendants`` finds them."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def start_log(path: Path) -> Path:
    """Make way for a new run's log at ``path``: the previous run's is kept as ``<name>.1``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.replace(path.with_name(path.name + ".1"))
    return path
