"""``course serve``: the course's Jupyter server."""

from __future__ import annotations

import click

from course.cli.app import load
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
@click.pass_context
def serve(ctx: click.Context, port: int, ip: str, no_browser: bool, public_url: str) -> None:
    """Start JupyterLab with real-time collaboration on the course.

    Prints the URL (with its access token) to open; stop with Ctrl-C.
    """
    if public_url:
        from traitlets import TraitError

        from course.live.app import normalise_public_url

        try:
            public_url = normalise_public_url(public_url)
        except TraitError as error:
            raise click.BadParameter(str(error), param_hint="--public-url") from None
    serve_course(load(ctx), port=port, ip=ip, open_browser=not no_browser, public_url=public_url)
