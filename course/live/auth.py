"""Who is calling: the instructor (Jupyter's own auth) or a participant (a join cookie).

Instructor handlers use ``@authorized`` on the resource ``course`` (read for GET, write
otherwise), so a deployment can give the instructor role with Jupyter's Authorizer
(JupyterHub scopes later). Participants never authenticate with Jupyter: joining sets
an HttpOnly, SameSite=Strict cookie named after the session, whose value is a random
secret stored only as a hash. It opens that session's ``/me`` routes and nothing else;
Jupyter's APIs (kernels, contents) do not know it.
"""

from __future__ import annotations

from typing import Any

from course.live.errors import Forbidden
from course.live.participants import Member

RESOURCE = "course"
COOKIE_PREFIX = "course-live-"
COOKIE_DAYS = 2


def cookie_name(session_id: int) -> str:
    return f"{COOKIE_PREFIX}{session_id}"


def set_participant_cookie(handler: Any, session_id: int, secret: str) -> None:
    """The cookie travels only to /course/ URLs of this server, never to scripts."""
    handler.set_cookie(
        cookie_name(session_id),
        secret,
        path=handler.base_url + "course/",
        expires_days=COOKIE_DAYS,
        httponly=True,
        samesite="Strict",
        secure=handler.request.protocol == "https",
    )


def member_of(handler: Any, session_id: int) -> Member:
    """The participant of ``session_id`` holding this request's cookie, or Forbidden."""
    secret = handler.get_cookie(cookie_name(session_id))
    if not secret or len(secret) > 100:
        raise Forbidden(f"join session {session_id} with its code first")
    member = handler.live.service.member(secret)
    if member is None or member.session_id != session_id:
        raise Forbidden(f"join session {session_id} with its code first")
    return member
