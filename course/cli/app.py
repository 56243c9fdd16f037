"""The root command group, and the one place where kit errors become ``Error: …`` and exit 1."""

from __future__ import annotations

from pathlib import Path

import click

from course.errors import CourseError
from course.plan import Course, load_course


class _Group(click.Group):
    """Shows a ``CourseError`` as one message without a traceback, exit status 1."""

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
