"""The root command group, and the one place where kit errors become ``Error: …`` and exit 1."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from course.errors import CourseError
from course.plan import Course, load_course

# command name -> "module:function"; a command's module is imported only when it runs,
# so `course grade` does not pay for Voila, Jupyter Server and the site builder.
COMMANDS = {
    "check": "course.cli.check:check",
    "build": "course.cli.build:build",
    "serve": "course.cli.serve:serve",
    "grade": "course.cli.grade:grade",
    "feedback": "course.cli.feedback:feedback",
    "report": "course.cli.report:report",
    "present": "course.cli.present:present_command",
    "roster": "course.cli.roster:roster",
    "collect": "course.cli.collect:collect_command",
    "export": "course.cli.export:export_command",
}


class _Group(click.Group):
    """Loads commands lazily; shows a ``CourseError`` as one message, exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CourseError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--course",
    "course_path",
    type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
    default=".",
    show_default=False,
    help="Course folder or its course.yml. Default: the nearest folder above with a course.yml.",
)
@click.version_option(package_name="blended-course-kit")
@click.pass_context
def main(ctx: click.Context, course_path: Path) -> None:
    """Plan, check, build, serve and grade a blended course on Jupyter.

    Run inside a course folder (one that holds course.yml) or pass --course.
    """
    ctx.obj = course_path


def load(ctx: click.Context) -> Course:
    """The validated plan of the course this command runs on."""
    return load_course(ctx.find_root().obj)
