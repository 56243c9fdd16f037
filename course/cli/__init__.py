"""The `course` command line: parses options and calls one function of a capability per command."""

from __future__ import annotations

from course.cli.app import main

__all__ = ["main"]
