"""Join-code participants as Jupyter users: their group, read fresh, and their open rooms.

The live extension (``course.live``, above this package) knows participants and groups;
the identity provider only asks it, through the ``Participations`` it registers in the
server's settings under ``PARTICIPATIONS``. A participant's browser holds the cookie
``GROUP_COOKIE`` (``<session id>.<secret>``: the same secret as the session's own
cookie, set when they open their group's notebook from the participant page), and
every request looks the participant up again, so a participant moved to another group
or a session that ended loses the old group's notebook, room and kernel at the next
request.

Websockets are authorised once, when they open: ``RoomSockets`` remembers each
collaboration room a participant has open, and ``recheck`` (called by the live
extension whenever groups are formed or a session changes state) closes every room
its holder may no longer reach.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

GROUP_COOKIE = "course-group"
PARTICIPATIONS = "course_participations"
ROOM_SOCKETS = "course_room_sockets"
MAX_COOKIE = 120
CLOSED_POLICY = 4403  # a websocket close code in the private range: no longer allowed


@dataclass(frozen=True)
class Participation:
    """A participant as their group's notebook needs them: who, which group, where.

    ``group`` is "" before groups are formed or when the group has no notebook;
    ``ended`` once the instructor ended the session (the notebook stays downloadable
    from the live extension, the room and kernel close).
    """

    session_id: int
    participant_id: int
    name: str
    learner: str | None
    group: str
    folder: str
    notebook: str
    ended: bool

    @property
    def in_group(self) -> bool:
        return bool(self.group and self.notebook) and not self.ended


class Participations(Protocol):
    """What the live extension offers the identity provider."""

    def participation(self, session_id: int, secret: str) -> Participation | None:
        """The participant of ``session_id`` holding ``secret``, or None."""
        ...


def cookie_value(session_id: int, secret: str) -> str:
    return f"{session_id}.{secret}"


def parse_cookie(value: str | None) -> tuple[int, str] | None:
    """(session id, secret) from the cookie, or None for anything malformed."""
    if not value or len(value) > MAX_COOKIE or "." not in value:
        return None
    session, secret = value.split(".", 1)
    return (int(session), secret) if session.isdigit() and secret else None


def participation(handler: Any) -> Participation | None:
    """The participant whose group cookie this request holds (looked up now), or None."""
    parsed = parse_cookie(handler.get_cookie(GROUP_COOKIE))
    directory = handler.settings.get(PARTICIPATIONS)
    if parsed is None or directory is None:
        return None
    found: Participation | None = directory.participation(*parsed)
    return found


def recheck_rooms(settings: dict[str, Any]) -> int:
    """Close the rooms and kernel websockets of groups their holders have left (moved to
    another group, or the session ended); how many were closed."""
    sockets: RoomSockets | None = settings.get(ROOM_SOCKETS)
    if sockets is None:
        return 0

    def allowed(handler: Any, group: str) -> bool:
        found = participation(handler)
        return found is not None and found.in_group and found.group == group

    return sockets.recheck(allowed)


class RoomSockets:
    """The websockets (collaboration rooms, kernels) group members hold open, by group."""

    def __init__(self) -> None:
        self._open: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    def watch(self, handler: Any, group: str) -> None:
        """Remember that ``handler`` (a websocket) was allowed as a member of ``group``."""
        self._open[handler] = group

    def recheck(self, still_allowed: Callable[[Any, str], bool]) -> int:
        """Close every watched room whose holder may no longer reach it; how many closed."""
        closed = 0
        for handler, group in list(self._open.items()):
            if still_allowed(handler, group):
                continue
            self._open.pop(handler, None)
            with contextlib.suppress(Exception):  # already closing: nothing to do
                handler.close(CLOSED_POLICY, "no longer a member of this group")
            closed += 1
        return closed

    def __len__(self) -> int:
        return len(self._open)
