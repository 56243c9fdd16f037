"""``course serve``: the course's Jupyter server."""

from __future__ import annotations

import click

from course.cli.app import load
from course.layout import log_path
from course.live import serve as serve_course


@click.command()
@click.option("--port", default=8888, show_default=True, help="Port to listen on.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
@click.option(
    "--public-url",
    default="",
    metavar="URL",
    help="The server's URL as phones reach it (e.g. http://192.168.1.20:8888/, or a proxy's "
    "https://class.example.org/); used for the join URL and QR code.",
)
@click.option("--verbose", "-v", is_flag=True, help="Show the server's log here, not in a file.")
@click.pass_context
def serve(
    ctx: click.Context, port: int, ip: str, no_browser: bool, public_url: str, verbose: bool
) -> None:
    """Start JupyterLab with real-time collaboration on the course.

    Prints the URLs to open (the instructor's with its access token) last; the
    server's log goes to <data folder>/logs/serve.log unless --verbose. Stop with
    Ctrl-C (or SIGTERM, or by closing the terminal): kernels stop with the server.
    """
    if public_url:
        from traitlets import TraitError

        from course.live.app import normalise_public_url

        try:
            public_url = normalise_public_url(public_url)
        except TraitError as error:
            raise click.BadParameter(str(error), param_hint="--public-url") from None
    course = load(ctx)
    where = "below" if verbose else log_path(course, "serve")
    click.echo(f"Starting the course server of {course.title!r} (its log: {where})…")
    serve_course(
        course,
        port=port,
        ip=ip,
        open_browser=not no_browser,
        public_url=public_url,
        verbose=verbose,
    )
