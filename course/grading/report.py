"""What ``grade`` takes and gives back: options, per-submission results, the report.

Kept apart from the engine so that building ``Options`` does not import
nbgrader (seconds): ``course.grading.api`` launches the kernel fork server
before that import, so the two overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from course import sandbox
from course.errors import CourseError


class GradingError(CourseError):
    """The assignment cannot be graded at all (not in the gradebook, no submissions)."""


@dataclass
class SubmissionResult:
    """One submission's outcome; ``faults`` name the notebook and say what went wrong."""

    student: str
    status: str  # "graded", "skipped" (already graded), "needs a look"
    score: float = 0.0
    max_score: float = 0.0
    faults: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kernel_start_seconds: list[float] = field(default_factory=list)
    confinement: list[str] = field(default_factory=list)


@dataclass
class GradeReport:
    """Everything ``grade`` did; ``needs_look`` lists the submissions a person should open."""

    assignment: str
    results: list[SubmissionResult]
    seconds: float

    @property
    def needs_look(self) -> list[SubmissionResult]:
        return [result for result in self.results if result.faults]

    @property
    def graded(self) -> list[SubmissionResult]:
        return [result for result in self.results if result.status != "skipped"]


class ProgressReporter(Protocol):
    """What ``grade`` tells while it works (the CLI draws a rich progress bar from it)."""

    def start(self, total: int) -> None: ...

    def advance(self, result: SubmissionResult) -> None: ...


@dataclass(frozen=True)
class Options:
    """How to run: concurrency, limits per notebook, whether to regrade."""

    workers: int = 0  # 0: four kernels per CPU (a kernel waits on start-up and I/O a lot)
    force: bool = False
    budget_seconds: float = 300.0
    cell_timeout: int | None = None  # None: nbgrader's Execute.timeout (30 s unless configured)
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    landlock: bool = True
