"""``course collect``: parse options, call ``course.grading.collect.collect``, show what it did."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from course.cli.app import load
from course.grading.collect import CollectReport, Limits, collect


@click.command("collect")
@click.argument("assignment")
@click.argument("source")
@click.option("--dry-run", is_flag=True, help="Show what would be taken; write nothing.")
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Largest notebook taken, in MB; larger ones are skipped.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable record only.")
@click.pass_context
def collect_command(
    ctx: click.Context, assignment: str, source: str, dry_run: bool, max_size: int, as_json: bool
) -> None:
    """Bring in the submissions of ASSIGNMENT from SOURCE into submitted/.

    SOURCE is `exchange` (nbgrader's exchange of this course), a folder (the exchange,
    or a folder per learner) or a zip downloaded from Canvas or Moodle. Learners are
    matched through the roster; each submission is timestamped and flagged late against
    its due date with the learner's extension. Nothing is overwritten silently: a newer
    submission replaces an older one (which is kept) and says so, and a second run of the
    same source takes nothing.
    """
    limits = Limits(file_bytes=max_size * 1024 * 1024)
    report = collect(load(ctx), assignment, source, dry_run=dry_run, limits=limits)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
        return
    show(report, Console())


def show(report: CollectReport, console: Console) -> None:
    """The taken and skipped tables, then one summary line and where the record is."""
    if report.taken:
        taken = Table("learner", "notebooks", "submitted (UTC)", "late", "note", title="taken")
        for item in report.taken:
            late = "LATE" if item.late else ("LMS: late" if item.lms_late else "")
            notes = list(item.notes)
            if item.replaced:
                notes.insert(0, f"replaces {item.replaced[:19]}")
            taken.add_row(
                item.learner, ", ".join(item.notebooks), item.timestamp[:19], late, "; ".join(notes)
            )
        console.print(taken)
    if report.skipped:
        skipped = Table("file", "learner", "why", "detail", title="skipped")
        for entry in report.skipped:
            skipped.add_row(entry.origin, entry.learner or "", entry.reason, entry.detail)
        console.print(skipped)
    verb = "would take" if report.dry_run else "took"
    lates = sum(item.late for item in report.taken)
    console.print(
        f"{report.assignment} from {report.source} ({report.kind}): {verb} "
        f"{len(report.taken)} submissions ({lates} late), skipped {len(report.skipped)} files."
    )
    if report.record:
        console.print(f"record: {report.record}")
