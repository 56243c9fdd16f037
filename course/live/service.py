"""Live sessions as plain Python: every action the REST API offers, over the store.

Handlers only parse, authorise and call these methods (through one worker thread, see
``app``); tests call them directly. Each method is one short transaction and returns
the JSON-ready view of what changed. Whether the caller may do it is decided before:
methods taking a ``participant_id`` trust that the handler checked the cookie.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Text, cast, delete, func, select, update
from sqlalchemy.orm import Session

from course.live import views
from course.live.errors import Conflict, Invalid, LiveError, NotFound
from course.live.groups import split_members
from course.live.polls import module_polls
from course.live.readiness import readiness
from course.live.schemas import FormGroups, NewPoll, NumericCorrect, Statement, check_answer
from course.live.store import (
    Answer,
    Group,
    LiveSession,
    Participant,
    Poll,
    Question,
    Store,
)
from course.plan import Course
from course.record import ProgressEvent

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on phones
CODE_LENGTH = 6
POLL_ACTIONS = ("open", "close", "reveal")
KIT = "urn:blended-course-kit:"
AnswerArgs = tuple[int, int, int, Any]  # session_id, participant_id, poll_id, value


@dataclass(frozen=True)
class Member:
    """A participant as the auth layer knows them: which session, which row."""

    session_id: int
    participant_id: int


@dataclass(frozen=True)
class PollFacts:
    """What accepting an answer needs to know of a poll (cached between state changes)."""

    session_id: int
    state: str
    kind: str
    options: int


@dataclass(frozen=True)
class Joined:
    session: dict[str, Any]
    participant: dict[str, Any]
    secret: str


@dataclass(frozen=True)
class FormedGroup:
    """What the group-notebook hook gets for each group it should prepare."""

    id: int
    number: int
    members: list[dict[str, Any]]


class GroupNotebooks(Protocol):
    """The call point for ``course.live.groups``: copy a notebook per group, return paths.

    Called in the worker thread right after groups are formed; returns, for each
    group number, the notebook path relative to the server root. Missing numbers
    simply have no notebook.
    """

    def __call__(
        self, course: Course, session: dict[str, Any], groups: list[FormedGroup]
    ) -> Mapping[int, str]: ...


@dataclass
class Update:
    """Messages for the two websocket channels, computed once per coalesced flush."""

    presenter: list[dict[str, Any]] = field(default_factory=list)
    participants: list[dict[str, Any]] = field(default_factory=list)
    personal: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return code.replace(" ", "").replace("-", "").upper()


class LiveService:
    """The live-session model of one course over one store."""

    def __init__(
        self,
        store: Store,
        course: Course,
        *,
        max_participants: int = 2000,
        notebook_link: Callable[[str], str] | None = None,
    ) -> None:
        self.store, self.course = store, course
        self.max_participants = max_participants
        self.notebook_link = notebook_link or (lambda path: path)
        self._members: dict[str, Member] = {}
        self._poll_facts: dict[int, PollFacts] = {}
        self._poll_generation = 0
        self._poll_lock = threading.Lock()

    # sessions ------------------------------------------------------------------------

    def create_session(self, module_id: str, title: str | None = None) -> dict[str, Any]:
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
                self._add_poll(db, row.id, poll)
            return views.session_json(row, instructor=True)

    def sessions(self) -> list[dict[str, Any]]:
        with self.store.session() as db:
            rows = db.scalars(select(LiveSession).order_by(LiveSession.id)).all()
            return [views.session_json(r, instructor=True) for r in rows]

    def session(self, session_id: int) -> dict[str, Any]:
        """Everything the instructor and presenter pages show, in one reply."""
        with self.store.session() as db:
            row = _get(db, LiveSession, session_id)
            polls = db.scalars(
                select(Poll).where(Poll.session_id == session_id).order_by(Poll.position)
            ).all()
            return {
                "session": views.session_json(row, instructor=True),
                "polls": [self._poll_view(db, p, instructor=True) for p in polls],
                "questions": self._questions(db, session_id, instructor=True),
                "participants": self._count(db, session_id),
                "groups": self._groups(db, session_id),
            }

    def change_session(self, session_id: int, state: str) -> dict[str, Any]:
        """End a session (no more joins or answers) or open it again."""
        with self._polls_changing(), self.store.session() as db:
            row = _get(db, LiveSession, session_id)
            row.state = state
            row.ended_at = _now() if state == "ended" else None
            if state == "ended":
                db.execute(
                    update(Poll)
                    .where(Poll.session_id == session_id, Poll.state == "open")
                    .values(state="closed", closed_at=_now())
                )
            return views.session_json(row, instructor=True)

    # participants --------------------------------------------------------------------

    def join(self, code: str, name: str | None, anonymous: bool) -> Joined:
        """Join the open session with this code; the secret goes into the cookie."""
        secret = secrets.token_urlsafe(32)
        with self.store.session() as db:
            row = db.scalar(
                select(LiveSession).where(
                    LiveSession.join_code == normalise_code(code), LiveSession.state == "open"
                )
            )
            if row is None:
                raise NotFound("code: no open session has this join code")
            if self._count(db, row.id) >= self.max_participants:
                raise Conflict(f"this session is full ({self.max_participants} participants)")
            person = Participant(
                session_id=row.id,
                name=None if anonymous else name,
                anonymous=anonymous,
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

    def participants(self, session_id: int) -> list[dict[str, Any]]:
        with self.store.session() as db:
            _get(db, LiveSession, session_id)
            rows = db.scalars(
                select(Participant)
                .where(Participant.session_id == session_id)
                .order_by(Participant.id)
            ).all()
            return [views.participant_json(r) for r in rows]

    def me(self, session_id: int, participant_id: int) -> dict[str, Any]:
        """A participant's whole view: session, current poll and their answer, questions, group."""
        with self.store.session() as db:
            session = _get(db, LiveSession, session_id)
            person = _get(db, Participant, participant_id)
            poll = db.get(Poll, session.current_poll_id) if session.current_poll_id else None
            answer = None
            if poll is not None:
                answer = db.scalar(
                    select(Answer.value).where(
                        Answer.poll_id == poll.id, Answer.participant_id == participant_id
                    )
                )
            return {
                "session": views.session_json(session, instructor=False),
                "me": views.participant_json(person),
                "poll": self._poll_view(db, poll, instructor=False) if poll else None,
                "answer": answer,
                "questions": self._questions(db, session_id, instructor=False),
                "voted": self._voted(db, session_id, participant_id),
                "group": self._group_of(db, person),
            }

    # polls ---------------------------------------------------------------------------

    def add_poll(self, session_id: int, poll: NewPoll) -> dict[str, Any]:
        """A poll created live: appended as a draft after the others."""
        with self.store.session() as db:
            _get(db, LiveSession, session_id)
            if poll.id and db.scalar(
                select(Poll.id).where(Poll.session_id == session_id, Poll.key == poll.id)
            ):
                raise Conflict(f"id: this session already has a poll {poll.id!r}")
            row = self._add_poll(db, session_id, poll)
            return views.poll_json(row, views.results(row, []), instructor=True)

    def poll_action(self, session_id: int, poll_id: int, action: str) -> dict[str, Any]:
        """open (closing any other open poll), close, or reveal the correct answer."""
        if action not in POLL_ACTIONS:
            raise NotFound(f"action: {action!r} is not one of {', '.join(POLL_ACTIONS)}")
        with self._polls_changing(), self.store.session() as db:
            session = _get(db, LiveSession, session_id)
            poll = self._poll(db, session_id, poll_id)
            if action == "open":
                if session.state != "open":
                    raise Conflict("the session has ended; open it again first")
                self._open(db, session, poll)
            elif action == "close" and poll.state == "open":
                poll.state, poll.closed_at = "closed", _now()
            elif action == "reveal":
                poll.revealed = True
            return self._poll_view(db, poll, instructor=True)

    def next_poll(self, session_id: int) -> dict[str, Any] | None:
        """Close the current poll and open the next draft one; None when none is left."""
        with self._polls_changing(), self.store.session() as db:
            session = _get(db, LiveSession, session_id)
            if session.state != "open":
                raise Conflict("the session has ended; open it again first")
            poll = db.scalar(
                select(Poll)
                .where(Poll.session_id == session_id, Poll.state == "draft")
                .order_by(Poll.position)
                .limit(1)
            )
            if poll is None:
                db.execute(
                    update(Poll)
                    .where(Poll.session_id == session_id, Poll.state == "open")
                    .values(state="closed", closed_at=_now())
                )
                return None
            self._open(db, session, poll)
            return self._poll_view(db, poll, instructor=True)

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
        ``app.Live.answer``): one commit, one poll lookup and one executemany for all.
        """
        outcomes: list[Any] = []
        rows: list[dict[str, Any]] = []
        polls = self._open_polls({poll_id for _, _, poll_id, _ in answers})
        moment = _now()
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
            rows.append(
                {
                    "poll_id": poll_id,
                    "participant_id": participant_id,
                    "value": stored,
                    "answered_at": moment,
                }
            )
        if rows:
            with self.store.engine.begin() as connection:  # Core: no ORM unit of work
                self.store.upsert(
                    connection,
                    Answer,
                    rows,
                    keys=["poll_id", "participant_id"],
                    fields=["value", "answered_at"],
                )
        return outcomes

    def _open_polls(self, ids: set[int]) -> dict[int, PollFacts]:
        """What answering needs of these polls, from a cache emptied whenever a poll's
        state may change (``_polls_changing``); misses are read in one query."""
        facts = {i: self._poll_facts[i] for i in ids if i in self._poll_facts}
        missing = ids - facts.keys()
        if missing:
            generation = self._poll_generation
            with self.store.session() as db:
                rows = db.execute(
                    select(Poll.id, Poll.session_id, Poll.state, Poll.kind, Poll.options).where(
                        Poll.id.in_(missing)
                    )
                )
                read = {
                    r.id: PollFacts(r.session_id, r.state, r.kind, len(r.options)) for r in rows
                }
            facts |= read
            with self._poll_lock:
                if generation == self._poll_generation:  # no state change since the read
                    self._poll_facts.update(read)
        return facts

    @contextmanager
    def _polls_changing(self) -> Iterator[None]:
        """Around a transaction that may change polls' states: the answer cache is emptied
        before it starts and after it ends (committed or not), and reads in between are
        not cached."""
        self._forget_polls()
        try:
            yield
        finally:
            self._forget_polls()

    def _forget_polls(self) -> None:
        with self._poll_lock:
            self._poll_generation += 1
            self._poll_facts.clear()

    def results(self, session_id: int, poll_id: int) -> dict[str, Any]:
        with self.store.session() as db:
            return self._poll_view(db, self._poll(db, session_id, poll_id), instructor=True)

    # questions -----------------------------------------------------------------------

    def ask(self, session_id: int, participant_id: int, text: str) -> dict[str, Any]:
        with self.store.session() as db:
            self._require_open(db, session_id)
            row = Question(session_id=session_id, participant_id=participant_id, text=text)
            db.add(row)
            db.flush()
            return views.question_json(row, instructor=False)

    def vote(self, session_id: int, participant_id: int, question_id: int) -> dict[str, Any]:
        """Upvote once: a second vote by the same participant changes nothing."""
        with self.store.session() as db:
            self._require_open(db, session_id)
            question = self._question(db, session_id, question_id)
            if question.hidden:
                raise NotFound(f"question {question_id}: no such question in this session")
            self.store.add_vote(db, question_id, participant_id)
            db.refresh(question)
            return views.question_json(question, instructor=False)

    def moderate(
        self, session_id: int, question_id: int, *, answered: bool | None, hidden: bool | None
    ) -> dict[str, Any]:
        with self.store.session() as db:
            question = self._question(db, session_id, question_id)
            if answered is not None:
                question.answered = answered
            if hidden is not None:
                question.hidden = hidden
            return views.question_json(question, instructor=True)

    def questions(self, session_id: int, *, instructor: bool) -> list[dict[str, Any]]:
        with self.store.session() as db:
            _get(db, LiveSession, session_id)
            return self._questions(db, session_id, instructor=instructor)

    # groups --------------------------------------------------------------------------

    def form_groups(
        self, session_id: int, spec: FormGroups, notebooks: GroupNotebooks | None = None
    ) -> list[dict[str, Any]]:
        """Shuffle the participants into groups (replacing earlier groups), then let the
        group-notebook hook prepare a notebook per group."""
        with self.store.session() as db:
            session = _get(db, LiveSession, session_id)
            people = list(
                db.scalars(select(Participant).where(Participant.session_id == session_id))
            )
            if not people:
                raise Conflict("nobody has joined yet; groups need participants")
            by_id = {str(p.id): p for p in people}
            count = min(spec.count, len(people)) if spec.count else None
            # A fresh seed: forming groups again is how an instructor reshuffles them.
            split = split_members(
                list(by_id), size=spec.size, count=count, seed=secrets.token_hex(8)
            )
            db.execute(
                update(Participant)
                .where(Participant.session_id == session_id)
                .values(group_id=None)
            )
            db.execute(delete(Group).where(Group.session_id == session_id))
            groups = [Group(session_id=session_id, number=n + 1) for n in range(len(split))]
            db.add_all(groups)
            db.flush()
            for group, members in zip(groups, split, strict=True):
                for member in members:
                    by_id[member].group_id = group.id
            db.flush()
            formed = [
                FormedGroup(
                    g.id,
                    g.number,
                    [views.participant_json(p) for p in people if p.group_id == g.id],
                )
                for g in groups
            ]
            if notebooks is not None:
                paths = notebooks(self.course, views.session_json(session, instructor=True), formed)
                for group in groups:
                    group.notebook_path = paths.get(group.number)
            return self._groups(db, session_id)

    def groups(self, session_id: int) -> list[dict[str, Any]]:
        with self.store.session() as db:
            _get(db, LiveSession, session_id)
            return self._groups(db, session_id)

    def readiness(self, session_id: int) -> dict[str, Any]:
        """How many participants reached mastery of the session's prerequisite modules."""
        with self.store.session() as db:
            module_id = _get(db, LiveSession, session_id).module_id
            names = list(
                db.scalars(
                    select(Participant.name).where(
                        Participant.session_id == session_id, Participant.anonymous.is_(False)
                    )
                )
            )
            anonymous = self._count(db, session_id) - len(names)
        report = readiness(self.course, module_id, self.store, names)
        report["participants"]["anonymous"] = anonymous
        return report

    # export and learner events ---------------------------------------------------------

    def export_csv(self, session_id: int) -> str:
        """Every answer of the session, one row each, safe to open in a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["poll", "kind", "question", "participant", "name", "answer", "time"])
        with self.store.session() as db:
            _get(db, LiveSession, session_id)
            rows = db.execute(
                select(Poll, Answer, Participant)
                .join(Answer, Answer.poll_id == Poll.id)
                .join(Participant, Participant.id == Answer.participant_id)
                .where(Poll.session_id == session_id)
                .order_by(Poll.position, Answer.id)
            ).all()
            for poll, answer, person in rows:
                writer.writerow(
                    [
                        _cell(poll.key),
                        poll.kind,
                        _cell(poll.question),
                        person.id,
                        _cell("" if person.anonymous else person.name or ""),
                        _cell(_answer_text(poll, answer.value)),
                        views.iso(answer.answered_at),
                    ]
                )
        return out.getvalue()

    def record_events(self, statements: Sequence[Statement]) -> dict[str, int]:
        """Store learners' xAPI statements once each (a resent batch adds nothing)."""
        rows = [_event_row(s) for s in statements]
        with self.store.session() as db:
            new = self.store.insert_new(db, ProgressEvent, rows)
        return {"received": len(rows), "stored": new, "duplicates": len(rows) - new}

    # websocket updates -----------------------------------------------------------------

    def snapshot(self, session_id: int) -> dict[str, Any]:
        """The presenter's first message: everything, like ``session``."""
        return {"type": "state", **self.session(session_id)}

    def update(self, session_id: int, topics: set[tuple[str, int]]) -> Update:
        """The messages for a coalesced set of changes (see ``channels``)."""
        out = Update()
        with self.store.session() as db:
            session = _get(db, LiveSession, session_id)
            kinds = {kind for kind, _ in topics}
            if "session" in kinds:
                out.presenter.append(
                    {"type": "session", "session": views.session_json(session, instructor=True)}
                )
                out.participants.append(
                    {"type": "session", "session": views.session_json(session, instructor=False)}
                )
            self._poll_updates(db, session, topics, out)
            if "questions" in kinds:
                for instructor, target in ((True, out.presenter), (False, out.participants)):
                    questions = self._questions(db, session_id, instructor=instructor)
                    target.append({"type": "questions", "questions": questions})
            if "participants" in kinds:
                count = self._count(db, session_id)
                out.presenter.append({"type": "participants", "count": count})
            if "groups" in kinds:
                self._group_updates(db, session_id, out)
        return out

    def _poll_updates(
        self, db: Session, session: LiveSession, topics: set[tuple[str, int]], out: Update
    ) -> None:
        changed = {i for kind, i in topics if kind == "poll"}
        answered = {i for kind, i in topics if kind == "answers"} - changed
        for poll_id in sorted(changed | answered):
            poll = db.get(Poll, poll_id)
            if poll is None or poll.session_id != session.id:
                continue
            out.presenter.append({"type": "poll", "poll": self._poll_view(db, poll, True)})
            if poll_id in changed or poll.revealed:
                current = poll.id == session.current_poll_id
                if current or poll_id in changed:
                    view = self._poll_view(db, poll, instructor=False)
                    out.participants.append({"type": "poll", "poll": view})

    def _group_updates(self, db: Session, session_id: int, out: Update) -> None:
        groups = self._groups(db, session_id)
        out.presenter.append({"type": "groups", "groups": groups})
        for group in groups:
            for member in group["members"]:
                out.personal[member["id"]] = [{"type": "group", "group": group}]

    # helpers ---------------------------------------------------------------------------

    def _new_code(self, db: Session) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if db.scalar(select(LiveSession.id).where(LiveSession.join_code == code)) is None:
                return code

    def _add_poll(self, db: Session, session_id: int, poll: NewPoll) -> Poll:
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

    def _open(self, db: Session, session: LiveSession, poll: Poll) -> None:
        db.execute(
            update(Poll)
            .where(Poll.session_id == session.id, Poll.state == "open", Poll.id != poll.id)
            .values(state="closed", closed_at=_now())
        )
        poll.state, poll.opened_at, poll.closed_at = "open", _now(), None
        session.current_poll_id = poll.id

    def _poll(self, db: Session, session_id: int, poll_id: int) -> Poll:
        poll = db.get(Poll, poll_id)
        if poll is None or poll.session_id != session_id:
            raise NotFound(f"poll {poll_id}: no such poll in session {session_id}")
        return poll

    def _poll_view(self, db: Session, poll: Poll, instructor: bool) -> dict[str, Any]:
        counted: list[tuple[Any, int]] = []
        if instructor or poll.revealed:
            counted = self._counted(db, poll.id)
        return views.poll_json(poll, views.tally(poll, counted), instructor=instructor)

    def _counted(self, db: Session, poll_id: int) -> list[tuple[Any, int]]:
        """(value, answers) per distinct answer: the database counts, Python only tallies
        the few distinct values (an option index, a set of them, a number, a text).

        In order of each value's first answer, so ties among words rank as when every
        answer was read in order."""
        text = cast(Answer.value, Text)  # JSON as stored; PostgreSQL cannot group json
        rows = db.execute(
            select(text, func.count())
            .where(Answer.poll_id == poll_id)
            .group_by(text)
            .order_by(func.min(Answer.id))
        )
        return [(json.loads(value), n) for value, n in rows]

    def _question(self, db: Session, session_id: int, question_id: int) -> Question:
        question = db.get(Question, question_id)
        if question is None or question.session_id != session_id:
            raise NotFound(f"question {question_id}: no such question in this session")
        return question

    def _questions(self, db: Session, session_id: int, *, instructor: bool) -> list[dict]:
        query = select(Question).where(Question.session_id == session_id)
        if not instructor:
            query = query.where(Question.hidden.is_(False))
        rows = db.scalars(query.order_by(Question.votes.desc(), Question.id)).all()
        return [views.question_json(q, instructor=instructor) for q in rows]

    def _voted(self, db: Session, session_id: int, participant_id: int) -> list[int]:
        from course.live.store import Vote

        return list(
            db.scalars(
                select(Vote.question_id)
                .join(Question, Question.id == Vote.question_id)
                .where(Vote.participant_id == participant_id, Question.session_id == session_id)
            )
        )

    def _groups(self, db: Session, session_id: int) -> list[dict[str, Any]]:
        groups = db.scalars(
            select(Group).where(Group.session_id == session_id).order_by(Group.number)
        ).all()
        people = db.scalars(
            select(Participant)
            .where(Participant.session_id == session_id, Participant.group_id.is_not(None))
            .order_by(Participant.id)
        ).all()
        return [
            views.group_json(
                g, [p for p in people if p.group_id == g.id], self._link(g.notebook_path)
            )
            for g in groups
        ]

    def _group_of(self, db: Session, person: Participant) -> dict[str, Any] | None:
        if person.group_id is None:
            return None
        group = db.get(Group, person.group_id)
        members = db.scalars(select(Participant).where(Participant.group_id == group.id)).all()
        return views.group_json(group, members, self._link(group.notebook_path))

    def _link(self, path: str | None) -> str | None:
        return self.notebook_link(path) if path else None

    def _count(self, db: Session, session_id: int) -> int:
        query = select(func.count(Participant.id)).where(Participant.session_id == session_id)
        return db.scalar(query) or 0

    def _require_open(self, db: Session, session_id: int) -> None:
        if _get(db, LiveSession, session_id).state != "open":
            raise Conflict("this session has ended")


def _get(db: Session, model: Any, key: int) -> Any:
    row = db.get(model, key)
    if row is None:
        thing = {LiveSession: "session", Participant: "participant"}.get(model, "item")
        raise NotFound(f"{thing} {key}: no such {thing}")
    return row


def _now() -> datetime:
    return datetime.now(UTC)


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @ at the start of a cell)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _answer_text(poll: Poll, value: Any) -> str:
    if poll.kind == "single":
        return poll.options[value]
    if poll.kind == "multiple":
        return "; ".join(poll.options[i] for i in value)
    return str(value)


def _event_row(statement: Statement) -> dict[str, Any]:
    body = statement.model_dump(mode="json", exclude_none=True)
    actor = statement.actor.account.name if statement.actor.account else statement.actor.name
    extensions = statement.context.get("extensions") or {}
    if not isinstance(extensions, dict):
        raise Invalid("context.extensions: must be an object")
    result = statement.result
    score = result.score.scaled if result and result.score else None
    return {
        "id": statement.id.lower(),
        "actor": actor or "",
        "verb": (statement.verb.display.en or statement.verb.id)[:60],
        "kind": _kind(statement.object.definition),
        "object_name": statement.object.definition.name.en or statement.object.id[-300:],
        "course": _short(extensions.get(KIT + "course")),
        "module": _short(extensions.get(KIT + "module")),
        "success": result.success if result else None,
        "scaled": score,
        "timestamp": statement.timestamp,
        "body": body,
        "received_at": _now(),
    }


def _kind(definition: Any) -> str:
    kind = str(getattr(definition, "type", "") or "")
    return kind.removeprefix(KIT)[:60]


def _short(value: Any) -> str | None:
    return value[:60] if isinstance(value, str) else None
