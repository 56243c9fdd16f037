"""``course serve``: the course's Jupyter server."""

from __future__ import annotations

import click

from course.cli.app import load
from course.live import serve as serve_course


@click.command()
@click.option("--port", default=8888, show_default=True, help="Port to listen on.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
@click.pass_context
def serve(ctx: click.Context, port: int, ip: str, no_browser: bool) -> None:
    """Start JupyterLab with real-time collaboration on the course.

    Prints the URL (with its access token) to open; stop with Ctrl-C.
    """
    serve_course(load(ctx), port=port, ip=ip, open_browser=not no_browser)
