"""The `course` command line: parses options and calls one function of a capability per command."""

from __future__ import annotations

from course.cli.app import main
from course.cli.build import build
from course.cli.check import check
from course.cli.grade import grade
from course.cli.present import present_command
from course.cli.serve import serve

for command in (check, build, serve, grade, present_command):
    main.add_command(command)

__all__ = ["main"]
