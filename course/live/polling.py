"""Polls run in a live session: drafts, open/close/reveal, answers and their results.

Answering is the hot path (a room of phones within seconds), so an answer is checked
against a cache of what it needs of its poll (``PollFacts``), emptied before and after
every transaction that may change a poll's state (``changing``). Results are counted
by the database (one GROUP BY per poll), and only the few distinct values are tallied
in Python (``views.tally``).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.orm import Session

from course.live import rows, views
from course.live import words as moderation
from course.live.errors import Conflict, LiveError, NotFound
from course.live.schemas import NewPoll, NumericCorrect, check_answer
from course.live.store import Answer, LiveSession, Poll, Store

POLL_ACTIONS = ("open", "close", "reveal")
AnswerArgs = tuple[int, int, int, Any]  # session_id, participant_id, poll_id, value


@dataclass(frozen=True)
class PollFacts:
    """What accepting an answer needs to know of a poll (cached between state changes)."""

    session_id: int
    state: str
    kind: str
    options: int


class Polling:
    """The polls of every session of one store, and the answer cache in front of them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._facts: dict[int, PollFacts] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def add(self, session_id: int, poll: NewPoll) -> dict[str, Any]:
        """A poll created live: appended as a draft after the others."""
        with self.store.session() as db:
            rows.get(db, LiveSession, session_id)
            if poll.id and db.scalar(
                select(Poll.id).where(Poll.session_id == session_id, Poll.key == poll.id)
            ):
                raise Conflict(f"id: this session already has a poll {poll.id!r}")
            row = self.add_row(db, session_id, poll)
            return views.poll_json(row, views.results(row, []), instructor=True)

    def add_row(self, db: Session, session_id: int, poll: NewPoll) -> Poll:
        """Store a poll definition as the session's last draft; correct options as indices."""
        position = db.scalar(
            select(func.coalesce(func.max(Poll.position), 0)).where(Poll.session_id == session_id)
        )
        correct: Any = None
        if isinstance(poll.correct, list):
            correct = [poll.options.index(c) for c in poll.correct]
        elif isinstance(poll.correct, NumericCorrect):
            correct = poll.correct.model_dump()
        row = Poll(
            session_id=session_id,
            key=poll.id or f"poll-{secrets.token_hex(4)}",
            position=(position or 0) + 1,
            kind=poll.kind,
            question=poll.question,
            options=list(poll.options),
            correct=correct,
        )
        db.add(row)
        db.flush()
        return row

    def action(self, session_id: int, poll_id: int, action: str) -> dict[str, Any]:
        """open (closing any other open poll), close, or reveal the correct answer."""
        if action not in POLL_ACTIONS:
            raise NotFound(f"action: {action!r} is not one of {', '.join(POLL_ACTIONS)}")
        with self.changing(), self.store.session() as db:
            session = rows.get(db, LiveSession, session_id)
            poll = self._poll(db, session_id, poll_id)
            if action == "open":
                if session.state != "open":
                    raise Conflict("the session has ended; open it again first")
                self._open(db, session, poll)
            elif action == "close" and poll.state == "open":
                poll.state, poll.closed_at = "closed", rows.now()
            elif action == "reveal":
                poll.revealed = True
            return self.view(db, poll, instructor=True)

    def next(self, session_id: int) -> dict[str, Any] | None:
        """Close the current poll and open the next draft one; None when none is left."""
        with self.changing(), self.store.session() as db:
            session = rows.get(db, LiveSession, session_id)
            if session.state != "open":
                raise Conflict("the session has ended; open it again first")
            poll = db.scalar(
                select(Poll)
                .where(Poll.session_id == session_id, Poll.state == "draft")
                .order_by(Poll.position)
                .limit(1)
            )
            if poll is None:
                self.close_open(db, session_id)
                return None
            self._open(db, session, poll)
            return self.view(db, poll, instructor=True)

    def close_open(self, db: Session, session_id: int) -> None:
        """Close the session's open poll, if any; call it inside ``changing``."""
        db.execute(
            update(Poll)
            .where(Poll.session_id == session_id, Poll.state == "open")
            .values(state="closed", closed_at=rows.now())
        )

    def answer(self, session_id: int, participant_id: int, poll_id: int, value: Any) -> Any:
        """Store or replace the participant's answer while the poll is open."""
        (outcome,) = self.answer_many([(session_id, participant_id, poll_id, value)])
        if isinstance(outcome, LiveError):
            raise outcome
        return outcome

    def answer_many(self, answers: Sequence[AnswerArgs]) -> list[Any]:
        """``answer`` for a batch, in one transaction: for each, the stored value or the
        LiveError that refused it (others in the batch are stored regardless).

        Answers that arrive while the store thread is busy are stored together (see
        ``runtime.Live.answer``): one commit, one poll lookup and one executemany for all.
        """
        outcomes: list[Any] = []
        stored_rows: list[dict[str, Any]] = []
        polls = self._open_polls({poll_id for _, _, poll_id, _ in answers})
        moment = rows.now()
        for session_id, participant_id, poll_id, value in answers:
            try:
                poll = polls.get(poll_id)
                if poll is None or poll.session_id != session_id:
                    raise NotFound(f"poll {poll_id}: no such poll in session {session_id}")
                if poll.state != "open":
                    raise Conflict(f"poll {poll_id} is {poll.state}, not open for answers")
                stored = check_answer(poll.kind, poll.options, value)
            except LiveError as error:
                outcomes.append(error)
                continue
            outcomes.append(stored)
            stored_rows.append(
                {
                    "poll_id": poll_id,
                    "participant_id": participant_id,
                    "value": stored,
                    "answered_at": moment,
                }
            )
        if stored_rows:
            with self.store.engine.begin() as connection:  # Core: no ORM unit of work
                self.store.upsert(
                    connection,
                    Answer,
                    stored_rows,
                    keys=["poll_id", "participant_id"],
                    fields=["value", "answered_at"],
                )
        return outcomes

    def moderate_words(
        self, session_id: int, poll_id: int, words: Sequence[str], state: str
    ) -> dict[str, Any]:
        """Approve, hide, or hold again words of a text poll (``course.live.words``)."""
        with self.store.session() as db:
            poll = self._poll(db, session_id, poll_id)
            moderation.decide(poll, words, state)
            db.flush()
            return self.view(db, poll, instructor=True)

    def results(self, session_id: int, poll_id: int) -> dict[str, Any]:
        with self.store.session() as db:
            return self.view(db, self._poll(db, session_id, poll_id), instructor=True)

    def view(self, db: Session, poll: Poll, instructor: bool) -> dict[str, Any]:
        """The poll as this audience sees it; results only to the instructor or once revealed."""
        counted: list[tuple[Any, int]] = []
        if instructor or poll.revealed:
            counted = self._counted(db, poll.id)
        return views.poll_json(poll, views.tally(poll, counted), instructor=instructor)

    def views(self, db: Session, session_id: int) -> list[dict[str, Any]]:
        """Every poll of the session in order, as the instructor sees them."""
        polls = db.scalars(
            select(Poll).where(Poll.session_id == session_id).order_by(Poll.position)
        ).all()
        return [self.view(db, p, instructor=True) for p in polls]

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Around a transaction that may change polls' states: the answer cache is emptied
        before it starts and after it ends (committed or not), and reads in between are
        not cached."""
        self._forget()
        try:
            yield
        finally:
            self._forget()

    def _forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._facts.clear()

    def _open_polls(self, ids: set[int]) -> dict[int, PollFacts]:
        """What answering needs of these polls, from a cache emptied whenever a poll's
        state may change (``changing``); misses are read in one query."""
        facts = {i: self._facts[i] for i in ids if i in self._facts}
        missing = ids - facts.keys()
        if missing:
            generation = self._generation
            with self.store.session() as db:
                found = db.execute(
                    select(Poll.id, Poll.session_id, Poll.state, Poll.kind, Poll.options).where(
                        Poll.id.in_(missing)
                    )
                )
                read = {
                    r.id: PollFacts(r.session_id, r.state, r.kind, len(r.options)) for r in found
                }
            facts |= read
            with self._lock:
                if generation == self._generation:  # no state change since the read
                    self._facts.update(read)
        return facts

    def _open(self, db: Session, session: LiveSession, poll: Poll) -> None:
        db.execute(
            update(Poll)
            .where(Poll.session_id == session.id, Poll.state == "open", Poll.id != poll.id)
            .values(state="closed", closed_at=rows.now())
        )
        poll.state, poll.opened_at, poll.closed_at = "open", rows.now(), None
        session.current_poll_id = poll.id

    def _poll(self, db: Session, session_id: int, poll_id: int) -> Poll:
        poll = db.get(Poll, poll_id)
        if poll is None or poll.session_id != session_id:
            raise NotFound(f"poll {poll_id}: no such poll in session {session_id}")
        return poll

    def _counted(self, db: Session, poll_id: int) -> list[tuple[Any, int]]:
        """(value, answers) per distinct answer: the database counts, Python only tallies
        the few distinct values (an option index, a set of them, a number, a text).

        In order of each value's first answer, so ties among words rank as when every
        answer was read in order."""
        text = cast(Answer.value, Text)  # JSON as stored; PostgreSQL cannot group json
        counted = db.execute(
            select(text, func.count())
            .where(Answer.poll_id == poll_id)
            .group_by(text)
            .order_by(func.min(Answer.id))
        )
        return [(json.loads(value), n) for value, n in counted]
