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
    status: str  # "graded", "skipped" (done, or nothing to grade), "needs a look", "failed"
    score: float = 0.0
    max_score: float = 0.0
    faults: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kernel_start_seconds: list[float] = field(default_factory=list)
    confinement: list[str] = field(default_factory=list)
    first_cell_at: float | None = None  # wall clock: when its first notebook's cells were sent


@dataclass
class GradeReport:
    """Everything ``grade`` did; ``needs_look`` lists the submissions a person should open."""

    assignment: str
    results: list[SubmissionResult]
    seconds: float
    first_notebook_seconds: float | None = None  # from the process's start to the first cell sent
    differences: list[str] = field(default_factory=list)  # where this run differs from nbgrader

    @property
    def needs_look(self) -> list[SubmissionResult]:
        return [result for result in self.results if result.faults]

    @property
    def graded(self) -> list[SubmissionResult]:
        return [result for result in self.results if result.status not in ("skipped", "failed")]

    @property
    def failed(self) -> list[SubmissionResult]:
        """Submissions left ungraded, as ``nbgrader autograde`` leaves those it fails on."""
        return [result for result in self.results if result.status == "failed"]


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
    # nbgrader's rules where the kit's own differ (``course grade`` in an nbgrader course, and
    # nbgrader's own autograde app through ``course.grading.nbgrader_converter``): a submission
    # nbgrader would fail on is left ungraded and reported, instead of scored zero and flagged;
    # a folder without notebooks is skipped; kernelspecs must name an installed kernel.
    as_nbgrader: bool = False
    scheduler: str | None = None  # a Dask distributed scheduler: run the kernels on its workers
