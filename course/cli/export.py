"""``course export``: parse options, call ``course.grading.export.export``, list the files."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from course.cli.app import load
from course.grading.export import FORMATS, MOODLE_IDS, export


def _columns(values: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for value in values:
        assignment, sign, heading = value.partition("=")
        if not sign or not assignment.strip() or not heading.strip():
            raise click.BadParameter(
                f"{value!r}: write ASSIGNMENT=HEADING, like ps1='Problem set 1 (4711)'",
                param_hint="--lms-column",
            )
        found[assignment.strip()] = heading.strip()
    return found


@click.command("export")
@click.option(
    "--format",
    "formats",
    type=click.Choice(["all", *FORMATS]),
    multiple=True,
    default=["all"],
    show_default=True,
    help="Which file (repeatable): nbgrader's long CSV, a wide CSV, a Canvas or a Moodle import.",
)
@click.option(
    "--to",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the files. Default: exports/ in the course's data folder.",
)
@click.option("--assignment", "assignments", multiple=True, help="Only this one (repeatable).")
@click.option("--questions", is_flag=True, help="Wide CSV: a column per graded cell too.")
@click.option(
    "--lms-column",
    "lms_columns",
    multiple=True,
    metavar="ASSIGNMENT=HEADING",
    help="The assignment's column in the LMS files, e.g. ps1='Problem set 1 (4711)' "
    "(Canvas: the id updates that assignment). Default: the assignment id.",
)
@click.option(
    "--moodle-id",
    type=click.Choice(list(MOODLE_IDS)),
    default="idnumber",
    show_default=True,
    help="What Moodle matches learners on: ID number (the roster's LMS id), email, username.",
)
@click.pass_context
def export_command(
    ctx: click.Context,
    formats: tuple[str, ...],
    folder: Path | None,
    assignments: tuple[str, ...],
    questions: bool,
    lms_columns: tuple[str, ...],
    moodle_id: str,
) -> None:
    """Write the grades from nbgrader's gradebook as CSV files, late penalties applied.

    Learners come from the roster (names, sections, LMS ids); the plan's late_penalty
    is applied against each learner's due date, extensions included.
    """
    chosen = list(FORMATS) if "all" in formats else list(dict.fromkeys(formats))
    written = export(
        load(ctx),
        folder,
        formats=chosen,
        assignments=list(assignments),
        questions=questions,
        columns=_columns(lms_columns),
        moodle_id=moodle_id,
    )
    console = Console()
    table = Table("format", "file", "learners", "left out")
    for item in written:
        table.add_row(item.format, str(item.path), str(item.rows), "\n".join(item.left_out))
    console.print(table)
    if any(item.format == "moodle" for item in written):
        field = {"idnumber": "useridnumber", "email": "useremail"}.get(moodle_id, "username")
        console.print(
            f"Moodle: Grades → Import → CSV file; map from '{MOODLE_IDS[moodle_id]}' "
            f"to '{field}', and each assignment column to its grade item."
        )
