"""The pages of live sessions, under ``{base_url}course/live/``: HTML rendered here, data over
the REST and websocket API of ``course.live.handlers``.

  GET join                       participant (no auth): code, then name or anonymous
  GET s/S                        participant (join cookie of S): poll, questions, group
  GET                            instructor: sessions, start one
  GET sessions/S/control         instructor: open/close/reveal polls, groups, export
  GET sessions/S/present         instructor: the projector view, live chart and QR code
  GET static/…                   scripts and styles (no auth: nothing secret in them)

Every page carries a strict Content-Security-Policy (scripts and styles from this server
only, no inline script); scripts insert user text with ``textContent``, never as HTML.
``announce`` prints the URLs and a terminal QR code when ``course serve`` starts.
"""

from __future__ import annotations

import hashlib
import io
import socket
import sys
from functools import cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado import web

from course.live.app import Live
from course.live.auth import RESOURCE, member_of
from course.live.errors import Forbidden, http_status
from course.live.handlers import KitErrors, kit_error

HERE = Path(__file__).parent
STATIC = HERE / "static"
PAGES = "/course/live"
S = r"(?P<session_id>[0-9]{1,9})"
WILDCARD = ("", "0.0.0.0", "::")

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
    ]
)


@cache
def _version(name: str) -> str:
    """A content hash for cache busting (static files do not change while a server runs)."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


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
    """Print the learner, instructor and join URLs of a started server, and a QR code.

    Call it once the server listens (the port is known), e.g. from the extension's
    ``_start_jupyter_server_extension``. With ``public_url`` (the server's URL as other
    devices reach it) the learner and join URLs use it; the instructor URL, holding the
    token, stays the server's own. Returns the URLs it printed.
    """
    out = out or sys.stdout
    base = serverapp.connection_url  # http://host:port/base/ (the host name for 0.0.0.0)
    if serverapp.ip in WILDCARD:  # phones rarely resolve a laptop's host name: use its address
        parts = urlsplit(base)
        base = urlunsplit(parts._replace(netloc=f"{lan_address()}:{parts.port}"))
    token = getattr(serverapp.identity_provider, "token", "") or ""
    query = f"?{urlencode({'token': token})}" if token else ""
    public = public_url or base
    urls = {
        "learners": url_path_join(public, "lab"),
        "instructor": url_path_join(base, PAGES) + "/" + query,
        "join": join_url(public, "/"),
    }
    print("", file=out)
    print(f"  Learners (JupyterLab): {urls['learners']}", file=out)
    print(f"  Instructor (live sessions): {urls['instructor']}", file=out)
    print(f"  Participants join at: {urls['join']}", file=out)
    if serverapp.ip in ("127.0.0.1", "localhost", "::1") and not public_url:
        print("  (listening on loopback only: start with --ip 0.0.0.0 for phones)", file=out)
    print(qr_terminal(urls["join"]), file=out)
    out.flush()
    return urls


def lan_address() -> str:
    """This machine's address on its default route (no packet is sent), or loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


class PageHandler(KitErrors, ExtensionHandlerMixin, JupyterHandler):
    """An HTML page of this extension, rendered from course/live/templates."""

    auth_resource = RESOURCE

    @property
    def live(self) -> Live:
        return self.settings["course_live"]

    @property
    def content_security_policy(self) -> str:
        return CSP

    def page(self, template: str, **context: Any) -> None:
        def static(name: str) -> str:
            path = url_path_join(self.base_url, PAGES, "static", name)
            return f"{path}?v={_version(name)}"

        html = _templates.get_template(template).render(
            static=static, base_url=self.base_url, **context
        )
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(html)

    def origin(self) -> str:
        return f"{self.request.protocol}://{self.request.host}"

    def public(self) -> tuple[str, str]:
        """(origin, base path) participants join at: ``CourseLiveApp.public_url`` when set,
        else the address this browser used."""
        if not self.live.public_url:
            return self.origin(), self.base_url
        parts = urlsplit(self.live.public_url)
        return f"{parts.scheme}://{parts.netloc}", parts.path or "/"

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Jupyter's error page, showing a kit error's message as it shows an HTTPError's."""
        error = kit_error(kwargs)
        if error is not None:
            status, reason = http_status(error)
            shown = web.HTTPError(status, str(error).replace("%", "%%"), reason=reason)
            kwargs["exc_info"] = (web.HTTPError, shown, kwargs["exc_info"][2])
        super().write_error(status_code, **kwargs)


# participant pages ------------------------------------------------------------------------


class JoinPage(PageHandler):
    @allow_unauthenticated  # the join page is how participants start: public
    def get(self) -> None:
        code = self.get_argument("code", "")[:12]
        self.page("join.html", code=code, title="Join a live session")


class ParticipantPage(PageHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member_of
    def get(self, session_id: str) -> None:
        try:
            member_of(self, int(session_id))
        except Forbidden:
            self.redirect(url_path_join(self.base_url, PAGES, "join"))
            return
        self.page("participant.html", session_id=int(session_id), title="Live session")


# instructor pages ---------------------------------------------------------------------------


class InstructorPage(PageHandler):
    def page(self, template: str, **context: Any) -> None:
        super().page(template, xsrf=self.xsrf_token.decode(), **context)


class IndexPage(InstructorPage):
    @web.authenticated
    @authorized(action="read", resource=RESOURCE)
    async def get(self) -> None:
        sessions = await self.live.run(self.live.service.sessions)
        modules = [m for m in self.live.service.course.modules if m.live is not None]
        self.page(
            "index.html",
            sessions=list(reversed(sessions)),
            modules=modules,
            course=self.live.service.course,
            title="Live sessions",
        )


class ControlPage(InstructorPage):
    @web.authenticated
    @authorized(action="read", resource=RESOURCE)
    async def get(self, session_id: str) -> None:
        state = await self.live.run(self.live.service.session, int(session_id))
        self.page(
            "control.html",
            session=state["session"],
            join=join_url(*self.public(), state["session"]["join_code"]),
            title=f"Control · {state['session']['title']}",
        )


class PresenterPage(InstructorPage):
    @web.authenticated
    @authorized(action="read", resource=RESOURCE)
    async def get(self, session_id: str) -> None:
        state = await self.live.run(self.live.service.session, int(session_id))
        origin, base = self.public()
        join = join_url(origin, base, state["session"]["join_code"])
        self.page(
            "presenter.html",
            session=state["session"],
            join=join,
            join_origin=origin,
            join_path=join_url("", base),
            qr=qr_svg(join),
            app=self.app_url(state["session"]["module"]),
            title=state["session"]["title"],
        )

    def app_url(self, module_id: str) -> str | None:
        """The module's presentation app, rendered by Voila inside this same server."""
        course = self.live.service.course
        module = next((m for m in course.modules if m.id == module_id), None)
        if module is None or module.live is None or module.live.present is None:
            return None
        return url_path_join(self.base_url, "voila/render", quote(module.live.present))


class StaticHandler(JupyterHandler, web.StaticFileHandler):
    """Scripts and styles of the pages; public, as they hold nothing but code."""

    auth_resource = RESOURCE

    @allow_unauthenticated  # static code and styles, needed by the public join page
    async def get(self, path: str, include_body: bool = True) -> None:
        await web.StaticFileHandler.get(self, path, include_body)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        if self.get_argument("v", ""):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.set_header("Cache-Control", "no-cache")


def routes() -> list[tuple[Any, ...]]:
    """The page routes (Jupyter adds the base_url); register next to ``handlers.routes()``."""
    return [
        (f"{PAGES}/?", IndexPage),
        (f"{PAGES}/join", JoinPage),  # participant (public)
        (f"{PAGES}/s/{S}", ParticipantPage),  # participant (join cookie)
        (f"{PAGES}/sessions/{S}/control", ControlPage),
        (f"{PAGES}/sessions/{S}/present", PresenterPage),
        (f"{PAGES}/static/(.*)", StaticHandler, {"path": str(STATIC)}),  # public
    ]
