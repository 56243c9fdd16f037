"""``course present``: parse options, call ``course.present.present``."""

from __future__ import annotations

from pathlib import Path

import click

from course.cli.app import load
from course.layout import log_path
from course.present import PresentOptions, present
from course.present.address import exposure
from course.present.serve import DEFAULT_MAX_KERNELS, DEFAULT_POOL


@click.command("present")
@click.argument("notebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slides", is_flag=True, help="Show the notebook as a reveal.js slide deck.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8866,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--ip",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on: this machine only by default; the room's network "
    "address (or 0.0.0.0 for every interface) lets people open the app on their phones.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser tab.")
@click.option(
    "--pool",
    type=click.IntRange(min=0),
    default=DEFAULT_POOL,
    show_default=True,
    help="Kernels kept warm with the notebook already run (about the room's arrival burst).",
)
@click.option(
    "--max-kernels",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_KERNELS,
    show_default=True,
    help="Visitors with a kernel at once; later ones see a 'room is full' page (0: no cap).",
)
@click.option("--verbose", "-v", is_flag=True, help="Show Voila's log here, not in a file.")
@click.pass_context
def present_command(
    ctx: click.Context,
    notebook: Path,
    slides: bool,
    port: int,
    ip: str,
    no_browser: bool,
    pool: int,
    max_kernels: int,
    verbose: bool,
) -> None:
    """Serve NOTEBOOK as a Voila app (or slides) on preheated kernels: on this machine
    only, or with --ip to a room.

    Prints the URL people should open last; Voila's log goes to <data folder>/logs/present.log
    unless --verbose. Stop with Ctrl-C (or SIGTERM): its kernels stop with it.
    """
    options = PresentOptions(
        slides=slides,
        port=port,
        ip=ip,
        open_browser=not no_browser,
        pool=pool,
        max_kernels=max_kernels,
        verbose=verbose,
    )
    course = load(ctx)
    warning = exposure(ip)
    if warning:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    where = "below" if verbose else log_path(course, "present")
    click.echo(f"Starting Voila for {notebook} (its log: {where})…")
    present(course, notebook, options)
