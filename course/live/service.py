"""Live sessions as plain Python: every action the REST API offers, over the store.

``LiveService`` is the one face of the live model: handlers only parse, authorise and
call its methods (through one worker thread, see ``runtime``); tests call them
directly. Each method is one short transaction and returns the JSON-ready view of what
changed. Whether the caller may do it is decided before: methods taking a
``participant_id`` trust that the handler checked the cookie.

The model itself is split by what it models, and this class only hands calls on:
``sessions`` (a module's meeting), ``participants`` (joins and cookie secrets),
``polling`` (polls, answers and their cache), ``questions`` (the queue), ``grouping``
(groups and their notebooks), ``state`` (what each audience sees, and websocket
updates), ``export`` (CSV) and ``learner_events`` (xAPI statements).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from course.live.export import session_csv
from course.live.grouping import Grouping, GroupNotebooks
from course.live.learner_events import record_events
from course.live.participants import Joined, Member, Participants
from course.live.polling import AnswerArgs, Polling
from course.live.questions import Questions
from course.live.schemas import FormGroups, NewPoll, Statement
from course.live.sessions import Sessions
from course.live.state import SessionState, Topic, Update
from course.live.store import Store
from course.plan import Course


class LiveService:
    """The live-session model of one course over one store.

    ``notebook_link`` turns a group notebook's path into the URL members open;
    ``group_notebooks`` prepares a notebook per group when groups are formed.
    """

    def __init__(
        self,
        store: Store,
        course: Course,
        *,
        max_participants: int = 2000,
        notebook_link: Callable[[str], str] | None = None,
        group_notebooks: GroupNotebooks | None = None,
    ) -> None:
        self.store, self.course = store, course
        self._polling = Polling(store)
        self._sessions = Sessions(store, course, self._polling)
        self._participants = Participants(store, max_participants=max_participants)
        self._questions = Questions(store)
        self._grouping = Grouping(
            store, course, notebook_link=notebook_link, notebooks=group_notebooks
        )
        self._state = SessionState(store, self._polling, self._questions, self._grouping)

    # sessions

    def modules(self) -> list[dict[str, Any]]:
        return self._sessions.modules()

    def create_session(self, module_id: str, title: str | None = None) -> dict[str, Any]:
        return self._sessions.create(module_id, title)

    def sessions(self) -> list[dict[str, Any]]:
        return self._sessions.all()

    def session(self, session_id: int) -> dict[str, Any]:
        return self._state.instructor(session_id)

    def change_session(self, session_id: int, state: str) -> dict[str, Any]:
        return self._sessions.change(session_id, state)

    def readiness(self, session_id: int) -> dict[str, Any]:
        return self._sessions.readiness(session_id)

    # participants

    def join(
        self, code: str, name: str | None, anonymous: bool, learner: str | None = None
    ) -> Joined:
        return self._participants.join(code, name, anonymous, learner)

    def member(self, secret: str) -> Member | None:
        return self._participants.member(secret)

    def participants(self, session_id: int) -> list[dict[str, Any]]:
        return self._participants.of_session(session_id)

    def me(self, session_id: int, participant_id: int) -> dict[str, Any]:
        return self._state.participant(session_id, participant_id)

    # polls

    def add_poll(self, session_id: int, poll: NewPoll) -> dict[str, Any]:
        return self._polling.add(session_id, poll)

    def poll_action(self, session_id: int, poll_id: int, action: str) -> dict[str, Any]:
        return self._polling.action(session_id, poll_id, action)

    def next_poll(self, session_id: int) -> dict[str, Any] | None:
        return self._polling.next(session_id)

    def answer(self, session_id: int, participant_id: int, poll_id: int, value: Any) -> Any:
        return self._polling.answer(session_id, participant_id, poll_id, value)

    def answer_many(self, answers: Sequence[AnswerArgs]) -> list[Any]:
        return self._polling.answer_many(answers)

    def results(self, session_id: int, poll_id: int) -> dict[str, Any]:
        return self._polling.results(session_id, poll_id)

    def moderate_words(
        self, session_id: int, poll_id: int, words: Sequence[str], state: str
    ) -> dict[str, Any]:
        return self._polling.moderate_words(session_id, poll_id, words, state)

    # questions

    def ask(self, session_id: int, participant_id: int, text: str) -> dict[str, Any]:
        return self._questions.ask(session_id, participant_id, text)

    def vote(self, session_id: int, participant_id: int, question_id: int) -> dict[str, Any]:
        return self._questions.vote(session_id, participant_id, question_id)

    def moderate(
        self, session_id: int, question_id: int, *, answered: bool | None, hidden: bool | None
    ) -> dict[str, Any]:
        return self._questions.moderate(session_id, question_id, answered=answered, hidden=hidden)

    def questions(self, session_id: int, *, instructor: bool) -> list[dict[str, Any]]:
        return self._questions.of_session(session_id, instructor=instructor)

    # groups

    def form_groups(
        self, session_id: int, spec: FormGroups, notebooks: GroupNotebooks | None = None
    ) -> list[dict[str, Any]]:
        return self._grouping.form(session_id, spec, notebooks)

    def groups(self, session_id: int) -> list[dict[str, Any]]:
        return self._grouping.of_session(session_id)

    # export and learner events

    def export_csv(self, session_id: int) -> str:
        return session_csv(self.store, session_id)

    def record_events(self, statements: Sequence[Statement]) -> dict[str, int]:
        return record_events(self.store, statements)

    # websockets

    def snapshot(self, session_id: int) -> dict[str, Any]:
        """The presenter's first message: everything, like ``session``."""
        return {"type": "state", **self._state.instructor(session_id)}

    def update(self, session_id: int, topics: set[Topic]) -> Update:
        return self._state.update(session_id, topics)
