"""A ``course`` command run as a real process, the way a person runs it from a terminal.

The ``course`` executable of the running interpreter's environment, on a course
folder; standard output and standard error each in a file of the test's folder,
so a test can assert on exactly what the user would read. ``tree`` lists the
command's processes (servers, kernels) for tests of how it stops.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import psutil

from course.processes import descendants, stop_tree

__all__ = ["CourseCommand", "course_executable"]


def course_executable() -> Path:
    """The ``course`` console script beside the running Python (the venv's own)."""
    return Path(sys.executable).parent / "course"


class CourseCommand:
    """``course --course COURSE ARGS…`` in a subprocess; use as a context manager."""

    def __init__(self, course: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.argv = [str(course_executable()), "--course", str(course), *args]
        self.env = {**os.environ, **(env or {})}
        self.env.pop("PYTEST_CURRENT_TEST", None)  # ipykernel changes its output under it
        folder = course.parent / "command-output"
        folder.mkdir(exist_ok=True)
        stem = f"{args[0] if args else 'course'}-{time.monotonic_ns()}"
        self.stdout_path, self.stderr_path = folder / f"{stem}.out", folder / f"{stem}.err"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> CourseCommand:
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=self.env
            )
        return self

    def run(self, timeout: float = 600) -> int:
        """Start, and wait for the command to finish; returns its exit code."""
        return self.start().wait(timeout)

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 180) -> None:
        """Wait until ``text`` appears on the command's standard output."""
        deadline = time.monotonic() + timeout
        while text not in self.stdout:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self} exited ({self.process.returncode}): {self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self}: no {text!r} within {timeout} s: {self.output()}")
            time.sleep(0.2)

    def tree(self) -> list[psutil.Process]:
        """The command's process and every process below it, now."""
        assert self.process is not None
        return [psutil.Process(self.process.pid), *descendants(self.process.pid)]

    def send_signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def output(self) -> str:
        return f"\n--- stdout:\n{self.stdout[-3000:]}\n--- stderr:\n{self.stderr[-3000:]}"

    def __str__(self) -> str:
        return " ".join(self.argv[1:])

    def __enter__(self) -> CourseCommand:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process is not None:
            stop_tree(self.process)
