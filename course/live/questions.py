"""The question queue of a live session: participants ask and upvote, the instructor
moderates. Hidden questions are shown to the instructor only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.live import rows, views
from course.live.errors import Conflict, NotFound
from course.live.store import LiveSession, Question, Store, Vote


class Questions:
    """The questions of every session of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def ask(self, session_id: int, participant_id: int, text: str) -> dict[str, Any]:
        with self.store.session() as db:
            _require_open(db, session_id)
            row = Question(session_id=session_id, participant_id=participant_id, text=text)
            db.add(row)
            db.flush()
            return views.question_json(row, instructor=False)

    def vote(self, session_id: int, participant_id: int, question_id: int) -> dict[str, Any]:
        """Upvote once: a second vote by the same participant changes nothing."""
        with self.store.session() as db:
            _require_open(db, session_id)
            question = _question(db, session_id, question_id)
            if question.hidden:
                raise NotFound(f"question {question_id}: no such question in this session")
            self.store.add_vote(db, question_id, participant_id)
            db.refresh(question)
            return views.question_json(question, instructor=False)

    def moderate(
        self, session_id: int, question_id: int, *, answered: bool | None, hidden: bool | None
    ) -> dict[str, Any]:
        with self.store.session() as db:
            question = _question(db, session_id, question_id)
            if answered is not None:
                question.answered = answered
            if hidden is not None:
                question.hidden = hidden
            return views.question_json(question, instructor=True)

    def of_session(self, session_id: int, *, instructor: bool) -> list[dict[str, Any]]:
        with self.store.session() as db:
            rows.get(db, LiveSession, session_id)
            return self.views(db, session_id, instructor=instructor)

    def views(self, db: Session, session_id: int, *, instructor: bool) -> list[dict[str, Any]]:
        """The queue, most votes first, as this audience sees it."""
        query = select(Question).where(Question.session_id == session_id)
        if not instructor:
            query = query.where(Question.hidden.is_(False))
        found = db.scalars(query.order_by(Question.votes.desc(), Question.id)).all()
        return [views.question_json(q, instructor=instructor) for q in found]

    def voted(self, db: Session, session_id: int, participant_id: int) -> list[int]:
        """The questions of the session this participant upvoted."""
        return list(
            db.scalars(
                select(Vote.question_id)
                .join(Question, Question.id == Vote.question_id)
                .where(Vote.participant_id == participant_id, Question.session_id == session_id)
            )
        )


def _question(db: Session, session_id: int, question_id: int) -> Question:
    question = db.get(Question, question_id)
    if question is None or question.session_id != session_id:
        raise NotFound(f"question {question_id}: no such question in this session")
    return question


def _require_open(db: Session, session_id: int) -> None:
    if rows.get(db, LiveSession, session_id).state != "open":
        raise Conflict("this session has ended")
