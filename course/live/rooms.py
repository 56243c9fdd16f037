"""Group rooms for the identity layer: which group's notebook a participant may open now.

The course server's identity provider (``course.identity.provider``) turns a
participant's group cookie into a Jupyter user at every request by asking
``GroupDirectory.participation`` (registered in the server's settings under
``course.identity.participation.PARTICIPATIONS``). Answers are cached per participant
until their session's groups or state change (``forget``, called by ``Live.touch``), so
a browser's many requests cost no store read, and a participant moved to another group
or a session that ended is seen at the very next request.
"""

from __future__ import annotations

import threading
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from course.identity.participation import Participation
from course.identity.users import group_key
from course.live.groups import group_folder
from course.live.participants import secret_hash
from course.live.service import LiveService
from course.live.store import Group, LiveSession, Participant

MAX_CACHED = 20_000


def display_name(person: Participant) -> str:
    """How the other members see a participant in the room: the name they joined with."""
    if person.anonymous or not person.name:
        return f"Participant {person.id}"
    return person.name


class GroupDirectory:
    """``course.identity.participation.Participations`` over the live store."""

    def __init__(self, service: LiveService) -> None:
        self.service = service
        self._cache: dict[tuple[int, str], Participation] = {}
        self._lock = threading.Lock()

    def participation(self, session_id: int, secret: str) -> Participation | None:
        key = (session_id, secret_hash(secret))
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        member = self.service.member(secret)
        if member is None or member.session_id != session_id:
            return None
        with self.service.store.session() as db:
            found = self._read(db, session_id, member.participant_id)
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[key] = found
        return found

    def forget(self, session_id: int) -> None:
        """Drop what is known of a session's participants (its groups or state changed)."""
        with self._lock:
            for key in [k for k in self._cache if k[0] == session_id]:
                del self._cache[key]

    def notebook(self, session_id: int, participant_id: int) -> Path | None:
        """The participant's group notebook on disk, for their download; None without one."""
        with self.service.store.session() as db:
            found = self._read(db, session_id, participant_id)
        if not found.notebook:
            return None
        return self.service.course.root / found.notebook

    def _read(self, db: Session, session_id: int, participant_id: int) -> Participation:
        person = db.get(Participant, participant_id)
        session = db.get(LiveSession, session_id)
        assert person is not None and session is not None  # members are never deleted
        group = db.get(Group, person.group_id) if person.group_id is not None else None
        notebook = group.notebook_path if group is not None else None
        number = group.number if group is not None else 0
        folder = ""
        if notebook:
            folder = group_folder(self.service.course, str(session_id), number)
            if not notebook.startswith(folder + "/"):  # a hook that keeps notebooks elsewhere
                folder = str(PurePosixPath(notebook).parent)
        return Participation(
            session_id=session_id,
            participant_id=person.id,
            name=display_name(person),
            learner=person.learner,
            group=group_key(session_id, number) if notebook else "",
            folder=folder,
            notebook=notebook or "",
            ended=session.state == "ended",
        )
