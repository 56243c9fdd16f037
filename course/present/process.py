"""A server in a child process that always ends, with its kernels: for tests and benchmarks.

The server gets SIGTERM and some seconds to stop its kernels; then whatever is left
of its tree is killed (``course.processes.stop_tree``), nothing left behind.
``course present`` itself runs Voila under ``course.processes.supervise``.
"""

from __future__ import annotations

import io
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from course.present.serve import voila_env
from course.present.voila_app import STATUS_PATH
from course.processes import stop_tree


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
        if isinstance(out, io.IOBase):
            out.close()


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM; after ``grace`` seconds (or once it exited) SIGKILL to what is left of its tree."""
    stop_tree(process, grace)


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
