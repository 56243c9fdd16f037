"""Fixtures for presentation tests: the sample course and real Voila servers on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from course.plan import Course, load_course
from course.present import PresentOptions, voila_command
from course.present.process import running_voila


def render(url: str, *, deadline: float = 60.0, **kwargs: object) -> httpx.Response:
    """GET a Voila page with a deadline on the whole body: a stalled render fails the test.

    Voila streams heartbeats while a cell runs, so a per-read timeout never fires on
    a stalled render. (Renders of the apps used to stall under load, a kernel reply
    stranded in Voila's shell socket: fixed by ``course.present.kernel_client``, issue 6.)
    """
    end = time.monotonic() + deadline
    chunks = []
    with httpx.stream("GET", url, timeout=30, **kwargs) as reply:  # type: ignore[arg-type]
        for chunk in reply.iter_bytes():
            chunks.append(chunk)
            if time.monotonic() > end:
                raise TimeoutError(f"{url} did not finish rendering within {deadline:.0f} s")
    return httpx.Response(reply.status_code, headers=reply.headers, content=b"".join(chunks))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def course(sample_course: Path) -> Course:
    return load_course(sample_course)


VoilaFactory = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def present_voila(tmp_path: Path) -> VoilaFactory:
    """``with present_voila(course, notebook, pool=0, max_kernels=4) as url:`` a live server."""

    @contextmanager
    def start(course: Course, notebook: str, **options: object) -> Iterator[str]:
        port = free_port()
        settings = PresentOptions(port=port, open_browser=False, **options)  # type: ignore[arg-type]
        url = f"http://127.0.0.1:{port}/"
        log = tmp_path / f"voila-{port}.log"
        warm = settings.pool if not settings.slides else 0
        # Generous: a pooled render took over 90 s once on a loaded 2-core machine.
        command = voila_command(course, notebook, settings)
        with running_voila(command, url, log=log, warm=warm, timeout=240):
            yield url

    return start
