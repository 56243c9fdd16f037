"""Participants of live sessions: joining with a code, and who holds a cookie secret.

A participant is one row per session, named or anonymous, and, when they joined
signed in as a learner (not anonymously), with their roster id. Joining returns a random
secret for the participant's cookie; the store keeps only its hash, and ``member``
finds the participant again from the secret (cached: a participant never changes
session). Whether a request holds the right cookie is ``course.live.auth``'s check.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.live import rows, views
from course.live.errors import Conflict, NotFound
from course.live.store import LiveSession, Participant, Store


@dataclass(frozen=True)
class Member:
    """A participant as the auth layer knows them: which session, which row."""

    session_id: int
    participant_id: int


@dataclass(frozen=True)
class Joined:
    session: dict[str, Any]
    participant: dict[str, Any]
    secret: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """A join code as stored: read aloud or typed with spaces and dashes, in any case."""
    return code.replace(" ", "").replace("-", "").upper()


def count(db: Session, session_id: int) -> int:
    """How many have joined the session."""
    query = select(func.count(Participant.id)).where(Participant.session_id == session_id)
    return db.scalar(query) or 0


class Participants:
    """Joins and members of every session of one store."""

    def __init__(self, store: Store, *, max_participants: int = 2000) -> None:
        self.store, self.max_participants = store, max_participants
        self._members: dict[str, Member] = {}

    def join(
        self, code: str, name: str | None, anonymous: bool, learner: str | None = None
    ) -> Joined:
        """Join the open session with this code; the secret goes into the cookie.

        ``learner`` is the roster id of a signed-in learner; an anonymous join keeps none
        (anonymous means the instructor's views cannot tell who answered).
        """
        secret = secrets.token_urlsafe(32)
        with self.store.session() as db:
            row = db.scalar(
                select(LiveSession).where(
                    LiveSession.join_code == normalise_code(code), LiveSession.state == "open"
                )
            )
            if row is None:
                raise NotFound("code: no open session has this join code")
            if count(db, row.id) >= self.max_participants:
                raise Conflict(f"this session is full ({self.max_participants} participants)")
            person = Participant(
                session_id=row.id,
                name=None if anonymous else name,
                anonymous=anonymous,
                learner=None if anonymous else learner,
                secret_hash=secret_hash(secret),
            )
            db.add(person)
            db.flush()
            self._members[person.secret_hash] = Member(row.id, person.id)
            return Joined(
                views.session_json(row, instructor=False), views.participant_json(person), secret
            )

    def member(self, secret: str) -> Member | None:
        """Who holds this cookie secret (cached: a participant never changes session)."""
        digest = secret_hash(secret)
        if digest in self._members:
            return self._members[digest]
        with self.store.session() as db:
            row = db.scalar(select(Participant).where(Participant.secret_hash == digest))
            if row is None:
                return None
            member = self._members[digest] = Member(row.session_id, row.id)
            return member

    def of_session(self, session_id: int) -> list[dict[str, Any]]:
        with self.store.session() as db:
            rows.get(db, LiveSession, session_id)
            people = db.scalars(
                select(Participant)
                .where(Participant.session_id == session_id)
                .order_by(Participant.id)
            ).all()
            return [views.participant_json(p) for p in people]
