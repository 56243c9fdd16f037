"""The learner's sign-in page: ``{base_url}course/signin``.

  GET   course/signin          public: the form (a QR code's ``#code=…`` fills and sends it)
  POST  course/signin          public: ``code`` (and ``_xsrf``) → 303 to the learner's own
                               JupyterLab, lesson 1 open; 403 and the form again if wrong,
                               429 after too many wrong codes from one address
  GET   course/signin/static/… public: the page's script and style (no secrets)

Signing in makes (or refreshes) the learner's workspace, writes a fresh event
credential into it (``Identities.enter``: their running kernels send with it from
their next event on, so events queued under a revoked one still arrive), then sets
Jupyter's own login cookie for them (``CourseIdentityProvider``), so every other
route sees a learner exactly as if they had typed their code on /login. A workspace
where the learner's kernel put a link in the way is refused (409), never written
through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from course.identity.provider import CourseIdentityProvider
from course.identity.users import CourseUser
from course.workspace.files import UnsafePath

HERE = Path(__file__).parent
SIGNIN = "/course/signin"
UNSAFE = (
    "Your workspace has a link where the course puts its files: remove it, or ask the instructor"
)
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; base-uri 'none'"

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def course_identity(handler: JupyterHandler) -> CourseIdentityProvider:
    """The server's identity provider, which must be the kit's (the pages need its roster)."""
    provider = handler.identity_provider
    if not isinstance(provider, CourseIdentityProvider):
        raise web.HTTPError(404, "learners sign in only on a server with the kit's identity")
    return provider


def landing_url(handler: JupyterHandler, user: CourseUser) -> str:
    """The learner's JupyterLab (their own layout), with the first lesson open."""
    identities = course_identity(handler).identities
    course = identities.course
    first = next((m.self_paced.notebook for m in course.modules if m.self_paced), "")
    tree = f"{identities.workspace_path(user.learner)}/{first}".rstrip("/")
    return url_path_join(
        handler.base_url, "lab/workspaces", quote(user.learner), "tree", quote(tree)
    )


class SignInHandler(JupyterHandler):
    """The form, and the code it posts."""

    @property
    def content_security_policy(self) -> str:
        return CSP

    def page(self, message: str = "") -> None:
        self.set_header("Cache-Control", "no-store")
        course = course_identity(self).identities.course
        self.finish(
            _templates.get_template("signin.html").render(
                course=course,
                message=message,
                xsrf=self.xsrf_form_html(),
                static=url_path_join(self.base_url, SIGNIN, "static"),
            )
        )

    @allow_unauthenticated  # public: this is how a learner gets in
    def get(self) -> None:
        user = self.current_user
        if isinstance(user, CourseUser) and user.is_learner:
            self.redirect(landing_url(self, user))
            return
        self.page()

    @allow_unauthenticated  # public: the code is checked, wrong ones are rate-limited
    def post(self) -> None:
        provider = course_identity(self)
        user = provider.learner_for_code(self, self.get_argument("code", ""))
        if user is None:
            self.set_status(403)
            self.page("That code is not valid. Check it on your card, or ask the instructor.")
            return
        try:
            provider.identities.enter(user.learner)
        except UnsafePath as error:
            self.log.warning("course: learner %s cannot sign in: %s", user.learner, error)
            self.set_status(409)
            self.page(f"{UNSAFE} ({error})")
            return
        provider.set_login_cookie(self, user)
        self.log.info("course: learner %s signed in", user.learner)
        self.redirect(landing_url(self, user), status=303)


class SignInStatic(web.StaticFileHandler):
    """The page's script and style: code only, so no authentication."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")


def routes() -> list[tuple[Any, ...]]:
    return [
        (SIGNIN, SignInHandler),
        (f"{SIGNIN}/static/(.*)", SignInStatic, {"path": str(HERE / "static")}),
    ]
