"""The kinds of identity on a course server, as Jupyter ``User`` objects.

* ``instructor``: whoever holds the server's token (or a hub instructor): everything.
* ``learner``: a roster id, signed in with their personal code (or as their hub user):
  their own workspace, their own kernels, nothing else (``course.identity.scopes``).
* ``participant``: a join-code participant of a live session: their group's folder
  (its notebook, the files the group template ships with), its room and the group's
  one kernel, nothing else. A learner who joined a session and opened their group's
  notebook keeps their own role and gains the same group (``with_group``).

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
    group: str = ""  # a live group's key (``live-<session>-<number>``), when in one
    group_folder: str = ""  # that group's folder, as a contents-API path
    group_notebook: str = ""  # that group's notebook, as a contents-API path

    @property
    def is_learner(self) -> bool:
        return self.role == LEARNER

    @property
    def is_participant(self) -> bool:
        return self.role == PARTICIPANT

    @property
    def owner(self) -> str:
        """Whose kernels this user starts in their own workspace: a learner's id; "" for
        anyone else (a participant's kernel is their group's, see ``owners``)."""
        return self.learner if self.is_learner else ""

    @property
    def owners(self) -> tuple[str, ...]:
        """Every owner whose kernels this user may use: their own, their group's."""
        return tuple(o for o in (self.owner, self.group) if o)


def group_key(session_id: int, number: int) -> str:
    """The owner of a live group's kernel, and the group's name in logs."""
    return f"live-{session_id}-{number}"


def participant_user(
    participant_id: int, name: str, group: str, folder: str, notebook: str
) -> CourseUser:
    """A join-code participant; ``username`` is unique per participant (their JupyterLab
    layout is stored under it), the names are what the other members see in the room."""
    return CourseUser(
        username=f"participant-{participant_id}",
        name=name,
        display_name=name,
        initials=name[:2].upper() or None,
        role=PARTICIPANT,
        group=group,
        group_folder=folder,
        group_notebook=notebook,
    )


def with_group(user: CourseUser, group: str, folder: str, notebook: str) -> CourseUser:
    """``user`` (a learner) who is also a member of a live group."""
    return CourseUser(
        **{**vars(user), "group": group, "group_folder": folder, "group_notebook": notebook}
    )


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
