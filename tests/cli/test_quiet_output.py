"""What the commands print is what their user needs: results, URLs last, warnings only when wrong.

Each test runs the venv's real ``course`` command on a copy of the sample course and
reads its standard output and standard error as a terminal would show them.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from course.layout import log_path
from course.plan import load_course
from course.testing import CourseCommand, free_port

pytestmark = pytest.mark.slow

ALARMS = re.compile(r"WARNING|ERROR|Traceback|Warning:|nbgrader_config|\[W |\[E ")
SERVE_URLS = (
    "Participants join at",
    "Learners sign in (personal code):",
    "Instructor (live sessions):",
)


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


def test_course_serve_prints_its_urls_last_and_logs_to_a_file(sample_course: Path) -> None:
    port = free_port()
    with CourseCommand(sample_course, "serve", "--no-browser", "--port", str(port)) as command:
        command.wait_for(SERVE_URLS[-1])
        time.sleep(5)  # what a server logs right after it started must not land below
        stdout, stderr = command.stdout, command.stderr

    urls = last_lines(stdout, 3)
    labels = [next((x for x in SERVE_URLS if line.strip().startswith(x)), line) for line in urls]
    assert labels == list(SERVE_URLS), stdout
    assert f"http://127.0.0.1:{port}/course/live/join" in urls[0]
    assert urls[1].endswith(f"http://127.0.0.1:{port}/course/signin")  # no token for learners
    assert stderr == ""
    assert not ALARMS.search(stdout), stdout
    log = log_path(load_course(sample_course), "serve").read_text()
    assert "Jupyter Server" in log and "is running at" in log


def test_course_serve_verbose_shows_the_servers_log(sample_course: Path) -> None:
    port = free_port()
    args = ("serve", "--no-browser", "--port", str(port), "--verbose")
    with CourseCommand(sample_course, *args) as command:
        command.wait_for(SERVE_URLS[-1])
        stderr = command.stderr

    assert "Jupyter Server" in stderr and "is running at" in stderr


def test_course_present_prints_the_apps_url_last(sample_course: Path) -> None:
    port = free_port()
    args = ("present", "notebooks/apps/01-functions.ipynb", "--no-browser", "--port", str(port))
    with CourseCommand(sample_course, *args, "--pool", "1") as command:
        command.wait_for("The app:")
        time.sleep(5)  # the pool warms up meanwhile: its kernels must not print here
        stdout, stderr = command.stdout, command.stderr

    assert last_lines(stdout, 1) == [f"  The app: http://127.0.0.1:{port}/"]
    assert stderr == ""
    assert not ALARMS.search(stdout), stdout
    log = log_path(load_course(sample_course), "present").read_text()
    assert "Kernel started" in log
