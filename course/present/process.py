"""A Voila server in a child process that always ends: for tests, benchmarks and ``present``.

Voila shuts its kernels down on SIGINT, but a pool still warming up can keep it
waiting; the child gets its own process group, so when a polite stop does not
end it in time the whole group (Voila and its kernels) is killed, nothing left behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from course.present.serve import voila_env
from course.present.voila_app import STATUS_PATH


@contextmanager
def running_voila(
    command: list[str],
    url: str,
    *,
    log: Path | None = None,
    warm: int = 0,
    status: bool = True,
    timeout: float = 90.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command``, wait until ``url`` answers (and ``warm`` pool kernels are ready)."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        command, env=voila_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_ready(process, url, warm if status else None, timeout)
        yield process
    finally:
        stop(process)
        if log:
            out.close()


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGINT, then after ``grace`` seconds SIGKILL to the child's whole process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(5)


def _wait_ready(
    process: subprocess.Popen[bytes], url: str, warm: int | None, timeout: float
) -> None:
    """Poll the kit's status URL, or (plain Voila) the port: a GET of the page would render it."""
    deadline = time.monotonic() + timeout
    address = urlsplit(url)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voila exited with code {process.returncode} before serving {url}")
        try:
            if warm is None:
                socket.create_connection((address.hostname, address.port), timeout=2).close()
                return
            answer = httpx.get(url.rstrip("/") + STATUS_PATH, timeout=2)
            if answer.status_code == 200 and _warm(answer) >= warm:
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"Voila did not serve {url} within {timeout:.0f} s")


def _warm(answer: httpx.Response) -> int:
    return int(answer.json()["pool_ready"])
