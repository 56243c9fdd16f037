"""``course report``: parse options, call ``course.grading.analysis.report``, show the numbers."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from course.cli.app import load
from course.grading.analysis import report as make_report


@click.command()
@click.argument("assignment")
@click.option(
    "--weakest",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="How many of the weakest items to describe in words on the terminal.",
)
@click.pass_context
def report(ctx: click.Context, assignment: str, weakest: int) -> None:
    """Item analysis of the graded ASSIGNMENT: every autograded test's share of learners
    who passed, its discrimination (upper-lower 27% index) and most common error type,
    score distributions as PNG plots, and an HTML page with all of it.

    The numbers are the class record's (course.record.item_stats), the same the
    instructor dashboard shows.
    """
    console = Console()
    result = make_report(load(ctx), assignment)
    table = Table(title=f"{assignment}: {len(result.shares)} graded submissions")
    table.add_column("test", overflow="fold")
    for column in ("passed", "share", "discrimination"):
        table.add_column(column, justify="right")
    table.add_column("most common error", overflow="fold")
    for item in result.items:
        table.add_row(
            item.test,
            f"{item.passed}/{item.submissions}",
            f"{item.share:.0%}",
            "-" if item.discrimination is None else f"{item.discrimination:.2f}",
            item.common_error or "-",
        )
    console.print(table)
    for number, paragraph in enumerate(result.summary[:weakest], 1):
        console.print(f"{number}. {paragraph}")
    console.print(f"page: {result.page}")
    console.print(f"plots: {result.histogram}, {result.item_chart}")
