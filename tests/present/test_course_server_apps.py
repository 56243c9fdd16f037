"""Presentation apps named in course.yml render inside the course server itself."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from course.present.process import running_voila
from course.testing import free_port
from course.testing.voila import render

pytestmark = pytest.mark.slow


def test_present_notebook_renders_under_course_serve(
    sample_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, token = free_port(), "course-serve-test-token"
    monkeypatch.setenv("JUPYTER_TOKEN", token)
    command = [
        str(Path(sys.executable).parent / "course"),
        "--course",
        str(sample_course),
        "serve",
        "--port",
        str(port),
        "--no-browser",
    ]
    base = f"http://127.0.0.1:{port}/"
    with running_voila(command, base + "login", log=tmp_path / "serve.log", status=False):
        reply = render(
            base + "voila/render/notebooks/apps/02-grouping.ipynb",
            headers={"Authorization": f"token {token}"},
        )

    assert reply.status_code == 200
    assert "application/vnd.jupyter.widget-view+json" in reply.text
    assert 'class="jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr"' not in (
        reply.text
    )
    assert "Traceback" not in reply.text
