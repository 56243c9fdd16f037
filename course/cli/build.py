"""``course build``: write what learners receive."""

from __future__ import annotations

import click
from rich.console import Console

from course.build import build as build_course
from course.cli.app import load


@click.command()
@click.pass_context
def build(ctx: click.Context) -> None:
    """Write the syllabus site and the iCalendar file into the data folder.

    The syllabus lists every module with objectives, prerequisites, time to
    learn, deadlines and live sessions in the course's time zone, with Binder and
    nbgitpuller links when course.yml names a repository.
    """
    result = build_course(load(ctx))
    console = Console()
    console.print(f"Syllabus: {result.syllabus}")
    console.print(f"Calendar: {result.calendar}")
    for release in result.releases:
        console.print(f"Student version: {release}")
