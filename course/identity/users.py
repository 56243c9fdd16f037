"""The kinds of identity on a course server, as Jupyter ``User`` objects.

* ``instructor``: whoever holds the server's token (or a hub instructor): everything.
* ``learner``: a roster id, signed in with their personal code (or as their hub user):
  their own workspace, their own kernels, nothing else (``course.identity.scopes``).
* ``participant`` (issue 13): a join-code participant, narrower still.

Each is a ``CourseUser``, so the Authorizer and the kernel manager read the role and
the roster id from the request's user, never from anything the client sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_server.auth.identity import User

INSTRUCTOR = "instructor"
LEARNER = "learner"
PARTICIPANT = "participant"
ROLES = (INSTRUCTOR, LEARNER, PARTICIPANT)


@dataclass
class CourseUser(User):
    """A Jupyter user with the kit's role and, for a learner, their roster id."""

    role: str = ""  # no role, no rights: every user is made by one of the functions below
    learner: str = ""

    @property
    def is_learner(self) -> bool:
        return self.role == LEARNER

    @property
    def owner(self) -> str:
        """Whose kernels this user may use (the kernel manager records it per kernel): a
        learner's own, under their id; "" for none (a group's, with issue 13)."""
        return self.learner if self.is_learner else ""


def learner_user(learner_id: str, name: str) -> CourseUser:
    return CourseUser(
        username=learner_id, name=name, display_name=name, role=LEARNER, learner=learner_id
    )


def instructor_user(instructor_id: str) -> CourseUser:
    return CourseUser(username=instructor_id, name=instructor_id, role=INSTRUCTOR)


def current_user() -> Any:
    """The user of the request being served (Jupyter's call context), or None outside one."""
    from jupyter_server.base.call_context import CallContext

    handler = CallContext.get(CallContext.JUPYTER_HANDLER)
    return getattr(handler, "current_user", None) if handler is not None else None


def current_learner() -> CourseUser | None:
    """The learner making the current request, None for anyone else (instructor, no request)."""
    user = current_user()
    return user if isinstance(user, CourseUser) and user.is_learner else None
