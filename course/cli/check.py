"""``course check``: is the course ready for learners?"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from course.check import run_checks
from course.cli.app import load
from course.outputs import clear_stored_outputs


@click.command()
@click.option("--jobs", "-j", default=2, show_default=True, help="Notebooks to run at once.")
@click.option(
    "--clear-outputs",
    is_flag=True,
    help="First clear the outputs stored in the course's notebooks (lessons, apps, group "
    "templates, exercise sources), as JupyterLab leaves them, then check.",
)
@click.pass_context
def check(ctx: click.Context, jobs: int, clear_outputs: bool) -> None:
    """Validate the plan and run every notebook it names.

    Exits 0 only when everything holds; prints a table of what passed and what failed.
    """
    console = Console()
    if clear_outputs:
        cleared = clear_stored_outputs(load(ctx))
        for label, cells in cleared.items():
            click.echo(f"Cleared the outputs of {cells} cell{'s' * (cells != 1)} in {label}")
        if not cleared:
            click.echo("No stored outputs to clear.")
    with console.status("Checking the course…"):
        results = run_checks(ctx.find_root().obj, jobs=jobs)
    table = Table(title="course check", show_lines=False)
    for column in ("area", "what", "result", "detail"):
        table.add_column(column, overflow="fold")
    for result in results:
        verdict = "[green]pass[/]" if result.passed else "[red]FAIL[/]"
        table.add_row(result.area, result.name, verdict, result.detail)
    console.print(table)
    failed = [r for r in results if not r.passed]
    if failed:
        # One unwrapped line per failure, so editors and grep can jump to file:line.
        for result in failed:
            located = result.detail.startswith(result.name)
            click.echo(f"FAIL {result.detail if located else f'{result.name}: {result.detail}'}")
        console.print(f"[red]{len(failed)} of {len(results)} checks failed.[/]")
        ctx.exit(1)
    console.print(f"[green]All {len(results)} checks passed.[/]")
