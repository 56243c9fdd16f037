"""What each audience sees of a live session: the whole state, and what changed.

``instructor`` is the instructor's reply and the presenter's first websocket frame;
``participant`` a participant's ``GET me`` and first frame; ``update`` the websocket
messages for a coalesced set of changed topics (see ``channels``). Each reads, in one
transaction, the views the parts of the model give of their rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.live import participants, rows, views
from course.live.grouping import Grouping
from course.live.polling import Polling
from course.live.questions import Questions
from course.live.store import Answer, LiveSession, Participant, Poll, Store

Topic = tuple[str, int]  # ("poll" | "answers", poll id) or ("session" | "questions" | ..., 0)


@dataclass
class Update:
    """Messages for the two websocket channels, computed once per coalesced flush."""

    presenter: list[dict[str, Any]] = field(default_factory=list)
    participants: list[dict[str, Any]] = field(default_factory=list)
    personal: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class SessionState:
    """The views of one session, put together for the instructor and for a participant."""

    def __init__(
        self, store: Store, polling: Polling, questions: Questions, grouping: Grouping
    ) -> None:
        self.store, self.polling, self.questions, self.grouping = (
            store,
            polling,
            questions,
            grouping,
        )

    def instructor(self, session_id: int) -> dict[str, Any]:
        """Everything the instructor and presenter pages show, in one reply."""
        with self.store.session() as db:
            row = rows.get(db, LiveSession, session_id)
            return {
                "session": views.session_json(row, instructor=True),
                "polls": self.polling.views(db, session_id),
                "questions": self.questions.views(db, session_id, instructor=True),
                "participants": participants.count(db, session_id),
                "groups": self.grouping.views(db, session_id),
            }

    def participant(self, session_id: int, participant_id: int) -> dict[str, Any]:
        """A participant's whole view: session, current poll and their answer, questions, group."""
        with self.store.session() as db:
            session = rows.get(db, LiveSession, session_id)
            person = rows.get(db, Participant, participant_id)
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
                "poll": self.polling.view(db, poll, instructor=False) if poll else None,
                "answer": answer,
                "questions": self.questions.views(db, session_id, instructor=False),
                "voted": self.questions.voted(db, session_id, participant_id),
                "group": self.grouping.of(db, person),
            }

    def update(self, session_id: int, topics: set[Topic]) -> Update:
        """The messages for a coalesced set of changes (see ``channels``)."""
        out = Update()
        with self.store.session() as db:
            session = rows.get(db, LiveSession, session_id)
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
                    questions = self.questions.views(db, session_id, instructor=instructor)
                    target.append({"type": "questions", "questions": questions})
            if "participants" in kinds:
                count = participants.count(db, session_id)
                out.presenter.append({"type": "participants", "count": count})
            if "groups" in kinds:
                self._group_updates(db, session_id, out)
        return out

    def _poll_updates(
        self, db: Session, session: LiveSession, topics: set[Topic], out: Update
    ) -> None:
        changed = {i for kind, i in topics if kind == "poll"}
        answered = {i for kind, i in topics if kind == "answers"} - changed
        for poll_id in sorted(changed | answered):
            poll = db.get(Poll, poll_id)
            if poll is None or poll.session_id != session.id:
                continue
            out.presenter.append({"type": "poll", "poll": self.polling.view(db, poll, True)})
            if poll_id in changed or poll.revealed:
                current = poll.id == session.current_poll_id
                if current or poll_id in changed:
                    view = self.polling.view(db, poll, instructor=False)
                    out.participants.append({"type": "poll", "poll": view})

    def _group_updates(self, db: Session, session_id: int, out: Update) -> None:
        groups = self.grouping.views(db, session_id)
        out.presenter.append({"type": "groups", "groups": groups})
        for group in groups:
            for member in group["members"]:
                out.personal[member["id"]] = [{"type": "group", "group": group}]
