"""What the commands print is what their user needs: results, URLs last, warnings only when wrong.

Each test runs the venv's real ``course`` command on a copy of the sample course and
reads its standard output and standard error as a terminal would show them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.layout import log_path
from course.plan import load_course
from course.testing import CourseCommand

pytestmark = pytest.mark.slow

ALARMS = re.compile(r"WARNING|ERROR|Traceback|Warning:|nbgrader_config|\[W |\[E ")


def last_lines(text: str, count: int) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][-count:]


def test_course_build_prints_what_it_wrote_and_nothing_alarming(sample_course: Path) -> None:
    command = CourseCommand(sample_course, "build")

    code = command.run()

    assert code == 0, command.output()
    assert command.stderr == "", command.output()
    assert not ALARMS.search(command.stdout), command.output()
    assert last_lines(command.stdout, 1)[0].startswith("Presentation app: ")
    assert log_path(load_course(sample_course), "build").is_file()
