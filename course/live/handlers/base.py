"""What every handler of the extension shares: its dependencies, JSON and HTML replies,
and the one place a kit error becomes an HTTP error."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.log import gen_log

from course.errors import CourseError
from course.live import schemas
from course.live.auth import RESOURCE
from course.live.errors import (
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    UnsupportedMediaType,
    http_status,
)
from course.live.pages import PAGES
from course.live.runtime import Live
from course.live.state import Topic
from course.live.views import dumps

STATIC = Path(__file__).parent.parent / "static"
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


class KitErrors(web.RequestHandler):
    """Answers a kit error raised anywhere under a handler with its status, not a 500.

    The one place a kit error becomes an HTTP error: ``errors.http_status`` gives the
    status; the handler's ``write_error`` renders it (JSON for the API, a page for pages).
    """

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        error = kit_error(kwargs)
        if error is not None:
            status_code, kwargs["reason"] = http_status(error)
        super().send_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """A kit error is a refusal: one line, as tornado logs an HTTPError, no traceback."""
        if not isinstance(value, CourseError):
            return super().log_exception(typ, value, tb)
        status, _ = http_status(value)
        gen_log.warning("%d %s %s: %s", status, self.request.method, self.request.uri, value)


def kit_error(error_kwargs: dict[str, Any]) -> CourseError | None:
    """The kit error that ``send_error``/``write_error`` are reporting, if it is one."""
    exc_info = error_kwargs.get("exc_info")
    error = exc_info[1] if exc_info else None
    return error if isinstance(error, CourseError) else None


class LiveHandler(KitErrors, ExtensionHandlerMixin, APIHandler):
    """JSON in, JSON out; every refusal is a JSON error with a reason."""

    auth_resource = RESOURCE

    def initialize(self, name: str, live: Live) -> None:
        super().initialize(name)
        self.live = live

    def body(self, model: type[schemas.Model], limit: int = schemas.MAX_BODY) -> schemas.Model:
        """The request body validated by ``model``; 413, 415 or 400 otherwise."""
        return schemas.parse(model, self.json(limit))

    def json(self, limit: int = schemas.MAX_BODY) -> Any:
        if len(self.request.body) > limit:
            raise TooLarge(f"the body has more than {limit} bytes")
        kind = self.request.headers.get("Content-Type", "application/json").split(";")[0]
        if kind.strip().lower() != "application/json":
            raise UnsupportedMediaType("send the body as application/json")
        try:
            return json.loads(self.request.body or b"null", parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            raise Invalid(f"body: not valid JSON ({error})") from None

    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(dumps(data))

    def touch(self, session_id: int, *topics: Topic) -> None:
        self.live.touch(session_id, *topics)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A kit error as ``{"message", "reason"}``; Jupyter's own errors (auth) as Jupyter
        writes them, which is the same shape."""
        error = kit_error(kwargs)
        if error is None:
            return super().write_error(status_code, **kwargs)
        if isinstance(error, RateLimited):
            self.set_header("Retry-After", str(max(1, round(error.retry_after))))
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(dumps({"message": str(error), "reason": http_status(error)[1]}))


class PageHandler(KitErrors, ExtensionHandlerJinjaMixin, ExtensionHandlerMixin, JupyterHandler):
    """An HTML page of this extension, from the templates of ``CourseLiveApp.template_paths``
    (ExtensionApp's own Jinja environment, autoescaping).

    Every page carries a strict Content-Security-Policy (scripts and styles from this
    server only, no inline script); scripts insert user text with ``textContent``.
    """

    auth_resource = RESOURCE

    def initialize(self, name: str, live: Live) -> None:
        super().initialize(name)
        self.live = live

    @property
    def content_security_policy(self) -> str:
        return CSP

    def page(self, template: str, **context: Any) -> None:
        def static(name: str) -> str:
            path = url_path_join(self.base_url, PAGES, "static", name)
            return f"{path}?v={_version(name)}"

        html = self.get_template(template).render(static=static, base_url=self.base_url, **context)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(html)

    def public(self) -> tuple[str, str]:
        """(origin, base path) participants join at: ``CourseLiveApp.public_url`` when set,
        else the address this browser used."""
        if not self.live.public_url:
            return f"{self.request.protocol}://{self.request.host}", self.base_url
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


class NotFoundHandler(LiveHandler):
    """Unknown /course/api/ URLs get a JSON 404, not Jupyter's HTML page (before any auth:
    saying that nothing is there reveals nothing)."""

    def prepare(self) -> None:  # type: ignore[override]
        raise NotFound(f"no API at {self.request.path}")


class StaticHandler(JupyterHandler, web.StaticFileHandler):
    """Scripts and styles of the pages; public, as they hold nothing but code.

    Not ExtensionApp's ``static_paths``: that route serves with the server-wide
    FileFindHandler, which can mark versioned URLs immutable only through the
    server-wide ``static_immutable_cache`` (unversioned ones too), and caches found
    files by relative path across every root: once another extension's ``index.js``
    was served, ours would be refused with 403.
    """

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


@cache
def _version(name: str) -> str:
    """A content hash for cache busting (static files do not change while a server runs)."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
