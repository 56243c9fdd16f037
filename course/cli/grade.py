"""``course grade``: parse options, call ``course.grading.grade``, draw its progress and results."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from course.cli.app import load
from course.grading import GradeReport, Options, SubmissionResult
from course.grading import grade as grade_assignment


class _Bar:
    """A rich progress bar with throughput and ETA, fed by ``grade``."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("grade", total=total, rate="")

    def advance(self, result: SubmissionResult) -> None:
        assert self._task is not None, "advance() before start()"
        self._progress.advance(self._task)
        task = self._progress.tasks[0]
        rate = f"{task.speed:.1f} submissions/s" if task.speed else ""
        self._progress.update(self._task, rate=rate)

    def stop(self) -> None:
        self._progress.stop()


@click.command()
@click.argument("assignment")
@click.option("--student", "students", multiple=True, help="Grade only this student (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Kernels at once (default: 4 per CPU).",
)
@click.option("--force", is_flag=True, help="Regrade submissions that are already graded.")
@click.option(
    "--budget",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds one notebook may run in total.",
)
@click.pass_context
def grade(
    ctx: click.Context,
    assignment: str,
    students: tuple[str, ...],
    workers: int | None,
    force: bool,
    budget: float,
) -> None:
    """Autograde the submissions of ASSIGNMENT into nbgrader's gradebook, fast and sandboxed.

    Interrupted? Run it again: it finishes the rest. Scores are those of
    `nbgrader autograde`; formgrader, generate_feedback and export work on the result.
    Exit status 0 when the run completed, even if some submissions need a look (they
    are listed in a table); 1 when the run itself failed.
    """
    console = Console()
    bar = _Bar(console)
    options = Options(workers=workers or 0, force=force, budget_seconds=budget)
    try:
        report = grade_assignment(load(ctx), assignment, students or None, options, bar)
    finally:
        bar.stop()
    _print_report(console, report)


def _print_report(console: Console, report: GradeReport) -> None:
    graded = report.graded
    rate = len(graded) / report.seconds if report.seconds else 0.0
    console.print(
        f"{report.assignment}: graded {len(graded)}, "
        f"already graded {len(report.results) - len(graded)}, "
        f"in {report.seconds:.1f} s ({rate:.1f} submissions/s)"
    )
    if not report.needs_look:
        return
    table = Table(title="Submissions that need a look", show_lines=True)
    table.add_column("student")
    table.add_column("score", justify="right")
    table.add_column("what happened")
    for result in report.needs_look:
        table.add_row(
            result.student, f"{result.score:g} / {result.max_score:g}", "\n".join(result.faults)
        )
    console.print(table)
