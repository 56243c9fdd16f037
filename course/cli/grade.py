"""``course grade``: parse options, call ``course.grading.grade``, draw its progress and results."""

from __future__ import annotations

from pathlib import Path

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
from course.errors import CourseNotFound
from course.grading import GradeReport, Options, SubmissionResult
from course.grading import grade as grade_assignment
from course.grading.api import grade_nbgrader_course
from course.grading.dropin import is_nbgrader_course
from course.plan import find_course


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


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("assignment")
@click.option("--student", "students", multiple=True, help="Grade only this student (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Kernels at once (default: 4 per CPU).",
)
@click.option("--force", "-f", is_flag=True, help="Regrade submissions that are already graded.")
@click.option(
    "--budget",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds one notebook may run in total.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="A Dask distributed scheduler (tcp://host:8786): run the notebooks on its workers.",
)
@click.option("--db", "db_url", metavar="URL", default=None, help="The gradebook's database URL.")
@click.option("--notebook", default=None, help="nbgrader course: only these notebooks (glob).")
@click.option("--create", is_flag=True, hidden=True, help="nbgrader's flag (the default).")
@click.option("--no-execute", is_flag=True, help="nbgrader course: do not run the notebooks.")
@click.pass_context
def grade(
    ctx: click.Context,
    assignment: str,
    students: tuple[str, ...],
    workers: int | None,
    force: bool,
    budget: float,
    scheduler: str | None,
    db_url: str | None,
    notebook: str | None,
    create: bool,
    no_execute: bool,
) -> None:
    """Autograde the submissions of ASSIGNMENT into nbgrader's gradebook, fast and sandboxed.

    Interrupted? Run it again: it finishes the rest. Scores are those of
    `nbgrader autograde`; formgrader, generate_feedback and export work on the result.
    Exit status 0 when the run completed, even if some submissions need a look (they
    are listed in a table); 1 when the run itself failed.

    In an nbgrader course (a folder with nbgrader_config.py and no course.yml) it
    stands in for `nbgrader autograde`: same options (also any --Class.trait=value),
    same rules, exit status 1 when a submission could not be graded.
    """
    console = Console()
    bar = _Bar(console)
    options = Options(workers=workers or 0, force=force, budget_seconds=budget, scheduler=scheduler)
    folder = ctx.find_root().obj
    nbgrader_course = _nbgrader_course(folder)
    if not nbgrader_course and (ctx.args or notebook or no_execute):
        raise click.UsageError(
            "--notebook, --no-execute and --Class.trait settings are for nbgrader courses "
            f"(a folder with nbgrader_config.py); got {' '.join(ctx.args) or '--notebook'}"
        )
    try:
        if nbgrader_course:
            settings = {
                "student": ",".join(students) if len(students) == 1 else None,
                "notebook": notebook,
                "db": db_url,
                "force": force,
                "create": create,
                "no_execute": no_execute,
            }
            chosen = students if len(students) > 1 else None
            report = grade_nbgrader_course(
                folder, assignment, settings, ctx.args, options, bar, students=chosen
            )
        else:
            report = grade_assignment(
                load(ctx), assignment, students or None, options, bar, db_url=db_url
            )
    finally:
        bar.stop()
    _print_report(console, report)
    if nbgrader_course and report.failed:
        ctx.exit(1)


def _nbgrader_course(folder: Path) -> bool:
    """An nbgrader course folder, not inside a kit course (course.yml wins)."""
    try:
        find_course(folder)
    except CourseNotFound:
        return is_nbgrader_course(folder)
    return False


def _print_report(console: Console, report: GradeReport) -> None:
    graded = report.graded
    rate = len(graded) / report.seconds if report.seconds else 0.0
    console.print(
        f"{report.assignment}: graded {len(graded)}, "
        f"already graded {len(report.results) - len(graded)}, "
        f"in {report.seconds:.1f} s ({rate:.1f} submissions/s)"
    )
    if report.first_notebook_seconds is not None:
        console.print(f"first notebook running {report.first_notebook_seconds:.2f} s after start")
    for difference in report.differences:
        console.print(f"[dim]differs from nbgrader autograde on purpose: {difference}[/dim]")
    if not report.needs_look:
        return
    title = "Submissions that need a look"
    if report.failed:
        title += f" ({len(report.failed)} failed: not graded, as nbgrader autograde leaves them)"
    table = Table(title=title, show_lines=True)
    table.add_column("student")
    table.add_column("score", justify="right")
    table.add_column("what happened")
    for result in report.needs_look:
        table.add_row(
            result.student, f"{result.score:g} / {result.max_score:g}", "\n".join(result.faults)
        )
    console.print(table)
