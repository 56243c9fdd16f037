"""``course roster``: import, list and edit the class roster; sign-in codes and their sheet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from course.cli.app import load
from course.record.roster import Learner, load_roster, split_name
from course.record.roster_import import FORMATS

Command = TypeVar("Command", bound=Callable[..., Any])


@click.group()
def roster() -> None:
    """The class roster: who the learners are (ids are nbgrader student ids).

    It lives in the course's data folder, never in the repository.
    """


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "format_",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="The export's kind: a Canvas gradebook export, a Moodle export, or id,name,email.",
)
@click.option("--id-column", default=None, help="Column holding the learner id.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_context
def import_command(
    ctx: click.Context, file: Path, format_: str, id_column: str | None, dry_run: bool
) -> None:
    """Add the learners of FILE (an LMS export) and update the ones already known."""
    from course.record.roster_edits import import_roster

    done = import_roster(load(ctx), file, format=format_, id_column=id_column, dry_run=dry_run)
    report = done.report
    verb = "would add" if dry_run else "added"
    click.echo(
        f"{file}: a {report.format} export; {verb} {len(report.added)}, "
        f"updated {len(report.updated)}, unchanged {len(report.unchanged)}."
    )
    for line in report.skipped:
        click.echo(f"  skipped {line}")
    if report.not_in_file:
        click.echo(f"  in the roster but not in the file (kept): {', '.join(report.not_in_file)}")
    if done.synced is not None:
        click.echo(f"  nbgrader's gradebook: {done.synced.students} students written.")


@roster.command("list")
@click.option("--section", default=None, help="Only this section.")
@click.pass_context
def list_command(ctx: click.Context, section: str | None) -> None:
    """Every learner: id, name, email, LMS id, section, extensions, sign-in code issued."""
    table = Table("id", "name", "email", "LMS id", "section", "extensions", "code")
    learners = [learner for learner in load_roster(load(ctx)) if section in (None, learner.section)]
    for learner in learners:
        extensions = ", ".join(f"{a} +{_minutes(m)}" for a, m in learner.extensions.items())
        table.add_row(
            learner.id,
            learner.name,
            learner.email,
            learner.lms_id,
            learner.section,
            extensions,
            "yes" if learner.signin else "",
        )
    Console().print(table)
    click.echo(f"{len(learners)} learners.")


def _minutes(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "min")) if n)


_FIELDS = [
    click.option("--name", default=None, help="Full name ('Ada Lovelace' or 'Lovelace, Ada')."),
    click.option("--email", default=None),
    click.option("--lms-id", default=None, help="The learner's id in the LMS."),
    click.option("--section", default=None),
    click.option("--hub-user", default=None, help="JupyterHub user name, when not the id."),
]


def _fields(command: Command) -> Command:
    for option in reversed(_FIELDS):
        command = option(command)
    return command


def _changes(name: str | None, **fields: str | None) -> dict[str, Any]:
    changes = {key: value for key, value in fields.items() if value is not None}
    if name is not None:
        changes["first_name"], changes["last_name"] = split_name(name)
    return changes


@roster.command("add")
@click.argument("learner_id", metavar="ID")
@_fields
@click.pass_context
def add_command(
    ctx: click.Context, /, learner_id: str, name: str | None, **fields: str | None
) -> None:
    """Add one learner with id ID."""
    from course.record.roster_edits import add_learner

    learner = add_learner(load(ctx), Learner(learner_id, **_changes(name, **fields)))
    click.echo(f"added {learner.id} ({learner.name})")


@roster.command("edit")
@click.argument("learner_id", metavar="ID")
@_fields
@click.pass_context
def edit_command(
    ctx: click.Context, /, learner_id: str, name: str | None, **fields: str | None
) -> None:
    """Change the name, email, LMS id, section or hub user of learner ID."""
    from course.record.roster_edits import edit_learner

    changes = _changes(name, **fields)
    if not changes:
        raise click.UsageError("say what to change, e.g. --email ada@example.org")
    learner = edit_learner(load(ctx), learner_id, **changes)
    click.echo(f"changed {learner.id}: {', '.join(sorted(changes))}")


@roster.command("remove")
@click.argument("learner_id", metavar="ID")
@click.pass_context
def remove_command(ctx: click.Context, learner_id: str) -> None:
    """Take learner ID off the roster (their submissions and grades stay in the gradebook)."""
    from course.record.roster_edits import remove_learner

    learner = remove_learner(load(ctx), learner_id)
    click.echo(f"removed {learner.id} ({learner.name}); their gradebook entry stays")


@roster.command("extend")
@click.argument("learner_id", metavar="ID")
@click.argument("assignment")
@click.option("--days", type=click.FloatRange(min=0), default=0.0, help="Extra days.")
@click.option("--hours", type=click.FloatRange(min=0), default=0.0, help="Extra hours.")
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]),
    default=None,
    help="The new due date instead (course time zone).",
)
@click.pass_context
def extend_command(
    ctx: click.Context,
    learner_id: str,
    assignment: str,
    days: float,
    hours: float,
    until: datetime | None,
) -> None:
    """Give learner ID more time on ASSIGNMENT (--days 0 --hours 0 removes an extension)."""
    from course.record.roster_edits import extend_deadline

    if until is not None and (days or hours):
        raise click.UsageError("give either --until or --days/--hours")
    extra = None if until is not None else timedelta(days=days, hours=hours)
    new_due = extend_deadline(load(ctx), learner_id, assignment, extra=extra, until=until)
    click.echo(f"{assignment} is due for {learner_id} on {new_due:%a %d %b %Y %H:%M}")


@roster.command("sync")
@click.pass_context
def sync_command(ctx: click.Context) -> None:
    """Write the roster to nbgrader's students table (and submissions' extensions)."""
    from course.record.roster_edits import sync

    report = sync(load(ctx))
    click.echo(f"nbgrader's gradebook: {report.students} students, {report.extensions} extensions.")
    if report.not_on_roster:
        click.echo(f"  in the gradebook but not on the roster: {', '.join(report.not_on_roster)}")


@roster.command("codes")
@click.argument("learner_ids", metavar="[ID]...", nargs=-1)
@click.option(
    "--url",
    required=True,
    help="The course server as learners reach it, e.g. http://192.168.1.20:8888/.",
)
@click.option(
    "--sheet",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write the sheet. Default: signin-sheet.html in the data folder.",
)
@click.pass_context
def codes_command(
    ctx: click.Context, learner_ids: tuple[str, ...], url: str, sheet: Path | None
) -> None:
    """Issue new personal sign-in codes (to ID..., or everyone) and print them on a sheet.

    A learner's old code stops working. Codes are not stored, only their digests:
    keep the sheet (cut it into cards and hand them out), or issue again.
    """
    from course.identity.sheet import print_signin_sheet

    course = load(ctx)
    path = sheet or course.data_path / "signin-sheet.html"
    issued = print_signin_sheet(course, list(learner_ids) or None, path, url)
    click.echo(f"{len(issued)} new codes; the sheet is {path} (print it, then delete it)")


@roster.command("revoke")
@click.argument("learner_id", metavar="ID")
@click.pass_context
def revoke_command(ctx: click.Context, learner_id: str) -> None:
    """Close learner ID's sign-in code and their kernels' event credentials."""
    from course.identity.sheet import revoke_signin

    revoke_signin(load(ctx), learner_id)
    click.echo(
        f"{learner_id}: sign-in code and event credentials revoked; issue a new code with "
        f"`course roster codes {learner_id} --url …`"
    )
