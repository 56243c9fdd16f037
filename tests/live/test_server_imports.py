"""The course server extension does not import the grading engine.

A Jupyter server loads ``course.live`` at start; the grading engine (nbgrader's
converters, the kit's engine and its fork server client) costs seconds of
imports and memory in every server, and belongs to ``course grade`` only.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

GRADING = ("course.grading.engine", "nbgrader.converters", "course.grading.forked.client")

SCRIPT = """
import sys
import {module}
print("loaded:", sorted(n for n in {grading!r} if n in sys.modules))
"""


@pytest.mark.parametrize("module", ["course.live.app", "course.live.handlers", "course.live.pages"])
def test_the_server_extension_does_not_import_the_grading_engine(module):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(module=module, grading=GRADING)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "loaded: []" in done.stdout
