"""The join URL of live sessions and its QR code: printed when ``course serve`` starts,
drawn on the presenter page.

Pages live under ``{base_url}course/live/`` (``PAGES``); their handlers are in
``course.live.handlers`` and their routes in ``course.live.routes``. ``announce``
prints the URLs and a terminal QR code when ``course serve`` starts.
"""

from __future__ import annotations

import io
import socket
import sys
from typing import IO, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
from jupyter_server.utils import url_path_join

from course.identity.provider import CourseIdentity
from course.identity.sheet import signin_url

PAGES = "/course/live"
WILDCARD = ("", "0.0.0.0", "::")


def join_url(origin: str, base_url: str, code: str | None = None) -> str:
    """The address participants open; with the code, the join page skips to the name."""
    url = origin.rstrip("/") + url_path_join(base_url, PAGES, "join")
    return f"{url}?{urlencode({'code': code})}" if code else url


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (black on white, scalable, no size attributes)."""
    return segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr", dark="#000", light="#fff"
    )


def qr_terminal(url: str) -> str:
    """The QR code of ``url`` for a terminal (two modules per character cell)."""
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def announce(serverapp: Any, out: IO[str] | None = None, public_url: str = "") -> dict[str, str]:
    """Print a QR code of the join URL, then the join, learner and instructor URLs, last.

    Call it once the server listens (the port is known), e.g. from the extension's
    ``_start_jupyter_server_extension``. With ``public_url`` (the server's URL as other
    devices reach it) the learner and join URLs use it; the instructor URL, holding the
    token, stays the server's own. On a server with the kit's identity provider the
    learners' URL is the sign-in page (their personal code); otherwise JupyterLab.
    Returns the URLs it printed.
    """
    out = out or sys.stdout
    base = serverapp.connection_url  # http://host:port/base/ (the host name for 0.0.0.0)
    if serverapp.ip in WILDCARD:  # phones rarely resolve a laptop's host name: use its address
        parts = urlsplit(base)
        base = urlunsplit(parts._replace(netloc=f"{lan_address()}:{parts.port}"))
    token = getattr(serverapp.identity_provider, "token", "") or ""
    query = f"?{urlencode({'token': token})}" if token else ""
    public = public_url or base
    signs_in = isinstance(serverapp.identity_provider, CourseIdentity)
    urls = {
        "learners": signin_url(public) if signs_in else url_path_join(public, "lab"),
        "instructor": url_path_join(base, PAGES) + "/" + query,
        "join": join_url(public, "/"),
    }
    # The QR code first and the URLs last: the lines a person looks for end the output.
    print("", file=out)
    print(qr_terminal(urls["join"]), file=out, end="")
    if serverapp.ip in ("127.0.0.1", "localhost", "::1") and not public_url:
        print("  (listening on loopback only: start with --ip 0.0.0.0 for phones)", file=out)
    print(f"  Participants join at (QR code above): {urls['join']}", file=out)
    learners = "Learners sign in (personal code)" if signs_in else "Learners (JupyterLab)"
    print(f"  {learners}: {urls['learners']}", file=out)
    print(f"  Instructor (live sessions): {urls['instructor']}", file=out)
    out.flush()
    return urls


def lan_address() -> str:
    """This machine's address on its default route (no packet is sent), or loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"
