"""Live sessions: one meeting of a module, joinable by code while it is open.

A new session loads the module's polls file as drafts; ending it closes its open poll
and stops joins, answers and questions until it is opened again.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.live import rows, views
from course.live.errors import NotFound
from course.live.polling import Polling
from course.live.polls import module_polls
from course.live.readiness import readiness
from course.live.store import LiveSession, Participant, Store
from course.plan import Course

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on phones
CODE_LENGTH = 6


class Sessions:
    """The sessions of one course over one store."""

    def __init__(self, store: Store, course: Course, polling: Polling) -> None:
        self.store, self.course, self.polling = store, course, polling

    def create(self, module_id: str, title: str | None = None) -> dict[str, Any]:
        """A new open session of a module, with the polls of its polls file as drafts."""
        modules = {m.id: m for m in self.course.modules}
        if module_id not in modules:
            raise NotFound(f"module: no module {module_id!r}; valid: {', '.join(modules)}")
        module = modules[module_id]
        polls = module_polls(self.course, module)
        with self.store.session() as db:
            row = LiveSession(
                module_id=module_id, title=title or module.title, join_code=self._new_code(db)
            )
            db.add(row)
            db.flush()
            for poll in polls:
                self.polling.add_row(db, row.id, poll)
            return views.session_json(row, instructor=True)

    def modules(self) -> list[dict[str, Any]]:
        """The modules that have a live part, for starting a session of one."""
        return [
            {"id": m.id, "title": m.title, "polls": m.live.polls, "requires": m.requires}
            for m in self.course.modules
            if m.live is not None
        ]

    def all(self) -> list[dict[str, Any]]:
        with self.store.session() as db:
            found = db.scalars(select(LiveSession).order_by(LiveSession.id)).all()
            return [views.session_json(r, instructor=True) for r in found]

    def change(self, session_id: int, state: str) -> dict[str, Any]:
        """End a session (no more joins or answers) or open it again."""
        with self.polling.changing(), self.store.session() as db:
            row = rows.get(db, LiveSession, session_id)
            row.state = state
            row.ended_at = rows.now() if state == "ended" else None
            if state == "ended":
                self.polling.close_open(db, session_id)
            return views.session_json(row, instructor=True)

    def readiness(self, session_id: int) -> dict[str, Any]:
        """How many participants reached mastery of the session's prerequisite modules."""
        with self.store.session() as db:
            module_id = rows.get(db, LiveSession, session_id).module_id
            joined = db.execute(
                select(Participant.learner, Participant.anonymous).where(
                    Participant.session_id == session_id
                )
            ).all()
        learners = [learner for learner, _ in joined if learner]
        report = readiness(self.course, module_id, self.store, learners, joined=len(joined))
        report["participants"]["anonymous"] = sum(1 for _, anonymous in joined if anonymous)
        return report

    def _new_code(self, db: Session) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if db.scalar(select(LiveSession.id).where(LiveSession.join_code == code)) is None:
                return code
