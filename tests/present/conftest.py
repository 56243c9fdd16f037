"""Fixtures for presentation tests: the sample course and real Voila servers on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from course.plan import Course, load_course
from course.present import PresentOptions, voila_command
from course.present.process import running_voila
from course.testing import free_port


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
