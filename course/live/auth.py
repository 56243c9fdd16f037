"""Who may call what: the instructor, a join-code participant, a learner's kernel.

Every handler of the extension states its caller with one of these, so the rules live
here and nowhere else:

* ``instructor`` / ``instructor_socket``: Jupyter's own authentication (token, login
  cookie, JupyterHub OAuth), then its Authorizer on the resource ``course`` (read for
  GET, write otherwise), so a deployment can give the instructor role through
  Jupyter's Authorizer (JupyterHub scopes later).
* ``member_of``: a participant never authenticates with Jupyter. Joining sets an
  HttpOnly, SameSite=Strict cookie named after the session, whose value is a random
  secret stored only as a hash. It opens that session's ``/me`` routes and nothing
  else; Jupyter's APIs (kernels, contents) do not know it. Handlers using it are the
  only ones marked ``allow_unauthenticated``, and their routes say so.
* ``events_learner``: a learner's kernel posts progress events with its own event
  credential (``Authorization: Bearer $COURSE_EVENTS_TOKEN``, signed and revocable,
  see ``course.identity.credentials``). The credential's subject is the actor of the
  events; whatever actor the body names is replaced. Nothing else opens that route.
* ``signed_in_learner``: the roster id of a request made by a learner who signed in
  (their personal code, or their hub user), so a live participant is that learner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from jupyter_server.auth.decorator import authorized, ws_authenticated
from tornado import web

from course.identity.credentials import CredentialError, Credentials, bearer
from course.identity.users import CourseUser
from course.live.errors import Forbidden
from course.live.participants import Member
from course.plan import Course
from course.record.roster import load_roster

RESOURCE = "course"
COOKIE_PREFIX = "course-live-"
COOKIE_DAYS = 2
Method = TypeVar("Method", bound=Callable[..., Any])


class Members(Protocol):
    def member(self, secret: str) -> Member | None: ...


def instructor(method: Method) -> Method:
    """An instructor's request: authenticated by Jupyter, authorised on ``course``."""
    return web.authenticated(authorized(resource=RESOURCE)(method))  # type: ignore[return-value]


def instructor_socket(method: Method) -> Method:
    """An instructor's websocket: authenticated before the upgrade, authorised to read."""
    return ws_authenticated(authorized(action="read", resource=RESOURCE)(method))


def cookie_name(session_id: int) -> str:
    return f"{COOKIE_PREFIX}{session_id}"


def set_participant_cookie(handler: web.RequestHandler, session_id: int, secret: str) -> None:
    """The cookie travels only to /course/ URLs of this server, never to scripts."""
    handler.set_cookie(
        cookie_name(session_id),
        secret,
        path=handler.settings.get("base_url", "/") + "course/",
        expires_days=COOKIE_DAYS,
        httponly=True,
        samesite="Strict",
        secure=handler.request.protocol == "https",
    )


def member_of(handler: web.RequestHandler, members: Members, session_id: int) -> Member:
    """The participant of ``session_id`` holding this request's cookie, or Forbidden."""
    secret = handler.get_cookie(cookie_name(session_id))
    if not secret or len(secret) > 100:
        raise Forbidden(f"join session {session_id} with its code first")
    member = members.member(secret)
    if member is None or member.session_id != session_id:
        raise Forbidden(f"join session {session_id} with its code first")
    return member


def events_learner(handler: web.RequestHandler, credentials: Credentials) -> str:
    """The learner whose event credential this request carries, or Forbidden.

    A login cookie or a Jupyter token is not enough: events carry no XSRF token, and
    only a credential says whose events they are.
    """
    token = bearer(handler.request.headers.get("Authorization", ""))
    if not token:
        raise Forbidden("send the kernel's event credential: Authorization: Bearer <credential>")
    try:
        return credentials.verify(token).subject
    except CredentialError as error:
        raise Forbidden(f"event credential refused ({error.reason}): {error}") from None


def signed_in_learner(handler: web.RequestHandler, course: Course) -> str | None:
    """The roster id of the request's user if they signed in as a learner; None for the
    instructor and for someone holding only a join code.

    On a hub's workshop service the user is JupyterHub's (``jupyterhub-singleuser``
    always puts the hub's identity provider in charge): their hub name is mapped to
    the roster as a learner's own server maps it (``Roster.for_hub_user``).
    """
    user = handler.current_user
    if isinstance(user, CourseUser):
        return user.learner if user.is_learner else None
    if user is not None and getattr(user, "hub_user", None):
        learner = load_roster(course).for_hub_user(user.username)
        return learner.id if learner else None
    return None
