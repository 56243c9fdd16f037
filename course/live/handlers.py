"""REST and websocket API of live sessions, under ``{base_url}course/api/``.

Pages live under ``{base_url}course/live/`` (reserved, not served here). All bodies and
replies are JSON (UTF-8, at most 64 KiB per request; 2 MiB for learner events). Errors
are ``{"message": "<what is wrong, naming the field>", "reason": "<short>"}`` with
400 (invalid input), 403 (not allowed), 404, 409 (state forbids it: poll closed,
session ended), 413 (too large), 415 (not JSON) or 429 (rate limit; ``Retry-After``).
Every ``<``, ``>``, ``&`` in a reply is a ``\\u`` escape; text is returned as typed,
so pages must insert it with ``textContent`` (never ``innerHTML``).

Instructor (Jupyter auth: ``Authorization: token …`` or the login cookie plus the
``X-XSRFToken`` header; resource ``course``, read for GET, write otherwise):

  GET    live/modules                          modules with a live part: id, title, polls
  GET    live/sessions                         [session]
  POST   live/sessions                         {module, title?} → 201 session (with join_code)
  GET    live/sessions/S                       {session, polls, questions, participants, groups}
  PATCH  live/sessions/S                       {state: "open"|"ended"} → session
  GET    live/sessions/S/participants          [{id, name, anonymous}]
  POST   live/sessions/S/polls                 {id?, kind, question, options?, correct?} → 201 poll
  GET    live/sessions/S/polls/P               poll (with correct and results)
  POST   live/sessions/S/polls/P/open|close|reveal   → poll  (open closes any other open poll)
  POST   live/sessions/S/next                  close the current poll, open the next draft
                                               → {poll: poll|null}
  GET    live/sessions/S/questions             [question] (hidden ones too)
  PATCH  live/sessions/S/questions/Q           {answered?, hidden?} → question
  GET    live/sessions/S/groups                [group]
  POST   live/sessions/S/groups                {size} or {count} → [group] (re-forms groups)
  GET    live/sessions/S/readiness             see course.live.readiness
  GET    live/sessions/S/export.csv            text/csv, one row per answer
  WS     live/sessions/S/ws                    presenter channel

Participant (only the cookie set by join; no Jupyter auth; each route says so below):

  POST   live/join                             {code, name?, anonymous?} → 201
                                               {session, participant}; sets the cookie
                                               ``course-live-S`` (HttpOnly, SameSite=Strict,
                                               Path={base_url}course/)
  GET    live/sessions/S/me                    {session, me, poll, answer, questions, voted,
                                               group}
  PUT    live/sessions/S/me/answers/P          {value} → {poll_id, value}; replaces an earlier
                                               answer while the poll is open (409 after)
  POST   live/sessions/S/me/questions          {text} → 201 question
  PUT    live/sessions/S/me/votes/Q            upvote, idempotent → question
  WS     live/sessions/S/me/ws                 participant channel

Learner kernels: ``POST events`` with a JSON list of xAPI statements and
``Authorization: token $COURSE_EVENTS_TOKEN`` (or Jupyter auth) → 200
{received, stored, duplicates}; statements are stored once per ``id``.

Shapes. session {id, module, title, state, current_poll_id, join_code*, created_at*}
(* instructor only). poll {id, key, position, kind: single|multiple|numeric|text,
question, options, state: draft|open|closed, revealed, correct†, results†}; † to
participants only once revealed. correct: option indices, or {value, tolerance}.
results {answers, counts[] (choice) | median, mean, histogram[{from,to,count}],
within_tolerance (numeric) | words[{word,count}] (text)}. Answer ``value``: an option
index (single), a list of indices (multiple), a number, or a text ≤ 200 characters.
question {id, text, votes, answered, created_at, hidden*}; participants never see
hidden ones. group {id, number, members[{id, name, anonymous}], notebook, url}.

Websockets (server → client JSON text frames; clients send nothing). The first frame
is the whole state: presenter ``{"type": "state", session, polls, questions,
participants, groups}``; participant ``{"type": "state", ...same as GET me}``. Then, at
most every ``CourseLiveApp.push_interval`` (50 ms) per session, coalesced:
``{"type": "session", session}``, ``{"type": "poll", poll}`` (presenter: on every
state change and new answers, with results; participant: when a poll changes state,
or its results once revealed), ``{"type": "questions", questions}``,
``{"type": "participants", count}`` (presenter), ``{"type": "groups", groups}``
(presenter) and ``{"type": "group", group}`` (each participant, their own).
A closed session ends nothing on the socket; reconnect on close and expect a new
``state`` frame.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated, authorized, ws_authenticated
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from course.errors import CourseError
from course.live import schemas
from course.live.app import Live
from course.live.auth import RESOURCE, member_of, set_participant_cookie
from course.live.errors import (
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    UnsupportedMediaType,
    http_status,
)
from course.live.participants import Member
from course.live.views import dumps

S = r"(?P<session_id>[0-9]{1,9})"
P = r"(?P<poll_id>[0-9]{1,9})"
Q = r"(?P<question_id>[0-9]{1,9})"
API = "/course/api"


class KitErrors(web.RequestHandler):
    """Answers a kit error raised anywhere under a handler with its status, not a 500.

    The one place a kit error becomes an HTTP error: ``errors.http_status`` gives the
    status; the handler's ``write_error`` renders it (JSON for the API, a page for pages).
    """

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        error = kit_error(kwargs)
        if error is not None:
            status_code, kwargs["reason"] = http_status(error)
        super().send_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """A kit error is a refusal: one line, as tornado logs an HTTPError, no traceback."""
        if not isinstance(value, CourseError):
            return super().log_exception(typ, value, tb)
        status, _ = http_status(value)
        self.log.warning("%d %s %s: %s", status, self.request.method, self.request.uri, value)


def kit_error(error_kwargs: dict[str, Any]) -> CourseError | None:
    """The kit error that ``send_error``/``write_error`` are reporting, if it is one."""
    exc_info = error_kwargs.get("exc_info")
    error = exc_info[1] if exc_info else None
    return error if isinstance(error, CourseError) else None


class LiveHandler(KitErrors, ExtensionHandlerMixin, APIHandler):
    """JSON in, JSON out; every refusal is a JSON error with a reason."""

    auth_resource = RESOURCE

    @property
    def live(self) -> Live:
        return self.settings["course_live"]

    def body(self, model: type[BaseModel], limit: int = schemas.MAX_BODY) -> Any:
        """The request body validated by ``model``; 413, 415 or 400 otherwise."""
        return schemas.parse(model, self.json(limit))

    def json(self, limit: int = schemas.MAX_BODY) -> Any:
        if len(self.request.body) > limit:
            raise TooLarge(f"the body has more than {limit} bytes")
        kind = self.request.headers.get("Content-Type", "application/json").split(";")[0]
        if kind.strip().lower() != "application/json":
            raise UnsupportedMediaType("send the body as application/json")
        try:
            return json.loads(self.request.body or b"null", parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            raise Invalid(f"body: not valid JSON ({error})") from None

    async def call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a service call in the store's thread."""
        return await self.live.run(function, *args, **kwargs)

    def limit(self, action: str, key: Any) -> None:
        self.live.limiter.check(action, key)

    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(dumps(data))

    def touch(self, session_id: int, *topics: tuple[str, int]) -> None:
        self.live.channels.touch(session_id, *topics)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A kit error as ``{"message", "reason"}``; Jupyter's own errors (auth) as Jupyter
        writes them, which is the same shape."""
        error = kit_error(kwargs)
        if error is None:
            return super().write_error(status_code, **kwargs)
        if isinstance(error, RateLimited):
            self.set_header("Retry-After", str(max(1, round(error.retry_after))))
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(dumps({"message": str(error), "reason": http_status(error)[1]}))


class ParticipantHandler(LiveHandler):
    """Base of the join-code routes: no Jupyter auth, the session cookie instead.

    Jupyter's XSRF token is not required of them: the cookie is SameSite=Strict and
    bodies must be application/json, which a cross-site form cannot send; the Origin
    check still applies.
    """

    def check_xsrf_cookie(self) -> None:
        if not hasattr(self, "_jupyter_current_user"):
            return  # tornado asks before authentication; Jupyter's prepare asks again
        if not self.check_origin():
            raise web.HTTPError(403, "cross-origin request refused")

    def member(self, session_id: str) -> Member:
        return member_of(self, int(session_id))


# instructor -----------------------------------------------------------------------------


class ModulesHandler(LiveHandler):
    @authorized
    async def get(self) -> None:
        course = self.live.service.course
        modules = [
            {"id": m.id, "title": m.title, "polls": m.live.polls, "requires": m.requires}
            for m in course.modules
            if m.live is not None
        ]
        self.reply(modules)


class SessionsHandler(LiveHandler):
    @authorized
    async def get(self) -> None:
        self.reply(await self.call(self.live.service.sessions))

    @authorized
    async def post(self) -> None:
        spec = self.body(schemas.NewSession)
        self.reply(await self.call(self.live.service.create_session, spec.module, spec.title), 201)


class SessionHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str) -> None:
        self.reply(await self.call(self.live.service.session, int(session_id)))

    @authorized
    async def patch(self, session_id: str) -> None:
        change = self.body(schemas.SessionChange)
        session = await self.call(self.live.service.change_session, int(session_id), change.state)
        self.touch(int(session_id), ("session", 0))
        self.reply(session)


class ParticipantsHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str) -> None:
        self.reply(await self.call(self.live.service.participants, int(session_id)))


class PollsHandler(LiveHandler):
    @authorized
    async def post(self, session_id: str) -> None:
        poll = self.body(schemas.NewPoll)
        created = await self.call(self.live.service.add_poll, int(session_id), poll)
        self.touch(int(session_id), ("poll", created["id"]))
        self.reply(created, 201)


class PollHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str, poll_id: str) -> None:
        self.reply(await self.call(self.live.service.results, int(session_id), int(poll_id)))


class PollActionHandler(LiveHandler):
    @authorized
    async def post(self, session_id: str, poll_id: str, action: str) -> None:
        sid = int(session_id)
        poll = await self.call(self.live.service.poll_action, sid, int(poll_id), action)
        self.touch(sid, ("session", 0), ("poll", poll["id"]))
        self.reply(poll)


class NextPollHandler(LiveHandler):
    @authorized
    async def post(self, session_id: str) -> None:
        sid = int(session_id)
        before = await self.call(self.live.service.session, sid)
        poll = await self.call(self.live.service.next_poll, sid)
        changed = [("poll", p["id"]) for p in before["polls"] if p["state"] == "open"]
        if poll:
            changed.append(("poll", poll["id"]))
        self.touch(sid, ("session", 0), *changed)
        self.reply({"poll": poll})


class QuestionsHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str) -> None:
        self.reply(await self.call(self.live.service.questions, int(session_id), instructor=True))


class QuestionHandler(LiveHandler):
    @authorized
    async def patch(self, session_id: str, question_id: str) -> None:
        change = self.body(schemas.QuestionChange)
        question = await self.call(
            self.live.service.moderate,
            int(session_id),
            int(question_id),
            answered=change.answered,
            hidden=change.hidden,
        )
        self.touch(int(session_id), ("questions", 0))
        self.reply(question)


class GroupsHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str) -> None:
        self.reply(await self.call(self.live.service.groups, int(session_id)))

    @authorized
    async def post(self, session_id: str) -> None:
        spec = self.body(schemas.FormGroups)
        groups = await self.call(self.live.service.form_groups, int(session_id), spec)
        self.touch(int(session_id), ("groups", 0))
        self.reply(groups)


class ReadinessHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str) -> None:
        self.reply(await self.call(self.live.service.readiness, int(session_id)))


class ExportHandler(LiveHandler):
    @authorized
    async def get(self, session_id: str) -> None:
        text = await self.call(self.live.service.export_csv, int(session_id))
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="session-{session_id}.csv"')
        self.set_header("X-Content-Type-Options", "nosniff")
        JupyterHandler.finish(self, text)  # APIHandler.finish would relabel it as JSON


# participants (join code) -------------------------------------------------------------------


class JoinHandler(ParticipantHandler):
    @allow_unauthenticated  # anyone with the code may join: this is how participants start
    async def post(self) -> None:
        spec = self.body(schemas.Join)
        address = self.request.remote_ip
        # Only failed joins cost a token: a classroom behind one router joins at once.
        self.live.limiter.ensure("join-failure", address)
        try:
            joined = await self.live.run(
                self.live.service.join, spec.code, spec.name, spec.anonymous
            )
        except CourseError:
            self.live.limiter.spend("join-failure", address)
            raise
        set_participant_cookie(self, joined.session["id"], joined.secret)
        self.touch(joined.session["id"], ("participants", 0))
        self.reply({"session": joined.session, "participant": joined.participant}, 201)


class MeHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def get(self, session_id: str) -> None:
        member = self.member(session_id)
        self.limit("read", member)
        self.reply(await self.call(self.live.service.me, member.session_id, member.participant_id))


class AnswerHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def put(self, session_id: str, poll_id: str) -> None:
        member = self.member(session_id)
        self.limit("answer", member)
        value = self.body(schemas.AnswerBody).value
        stored = await self.live.answer(
            member.session_id, member.participant_id, int(poll_id), value
        )
        self.touch(member.session_id, ("answers", int(poll_id)))
        self.reply({"poll_id": int(poll_id), "value": stored})


class AskHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def post(self, session_id: str) -> None:
        member = self.member(session_id)
        self.limit("question", member)
        text = self.body(schemas.NewQuestion).text
        question = await self.call(
            self.live.service.ask, member.session_id, member.participant_id, text
        )
        self.touch(member.session_id, ("questions", 0))
        self.reply(question, 201)


class VoteHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def put(self, session_id: str, question_id: str) -> None:
        member = self.member(session_id)
        self.limit("vote", member)
        question = await self.call(
            self.live.service.vote, member.session_id, member.participant_id, int(question_id)
        )
        self.touch(member.session_id, ("questions", 0))
        self.reply(question)


# learner events -----------------------------------------------------------------------------


class EventsHandler(LiveHandler):
    @allow_unauthenticated  # kernels send the events token instead; checked below
    async def post(self) -> None:
        self.authorize_events()
        data = self.json(schemas.MAX_EVENTS_BODY)
        statements = self.body_statements(data)
        actors = {s.actor.account.name if s.actor.account else s.actor.name for s in statements}
        for actor in actors:
            self.limit("events", actor)
        self.reply(await self.call(self.live.service.record_events, statements))

    def authorize_events(self) -> None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() in ("token", "bearer") and _same(token.strip(), self.live.events_token):
            return
        if self.current_user is not None and self.token_authenticated:
            return
        raise Forbidden("send Authorization: token $COURSE_EVENTS_TOKEN")

    def check_xsrf_cookie(self) -> None:
        """Kernels post with a token header, never with cookies: no XSRF token to check."""

    def body_statements(self, data: Any) -> list[schemas.Statement]:
        if not isinstance(data, list):
            raise Invalid("body: a JSON list of xAPI statements")
        return schemas.parse(schemas.Statements, {"items": data}).items


class NotFoundHandler(LiveHandler):
    """Unknown /course/api/ URLs get a JSON 404, not Jupyter's HTML page."""

    def prepare(self) -> None:  # type: ignore[override]
        raise NotFound(f"no API at {self.request.path}")


# websockets -----------------------------------------------------------------------------


class _Socket(KitErrors, WebSocketMixin, WebSocketHandler, ExtensionHandlerMixin, JupyterHandler):
    """A push-only channel: one subscriber of ``Channels``; inbound frames are ignored."""

    auth_resource = RESOURCE
    session_id: int
    participant_id: int | None = None

    @property
    def live(self) -> Live:
        return self.settings["course_live"]

    @property
    def max_message_size(self) -> int:
        return 1024

    def set_default_headers(self) -> None:
        """No CSP or cache headers on a websocket handshake (as Jupyter's kernel sockets)."""

    async def first_frame(self) -> dict[str, Any]:
        raise NotImplementedError

    async def open(self, session_id: str) -> None:  # type: ignore[override]
        try:
            state = await self.first_frame()
        except CourseError as error:  # after the upgrade: no status to send, a close code
            self.close(4004, str(error)[:120])
            return
        self.push(dumps(state))
        self.live.channels.subscribe(self.session_id, self, self.participant_id)

    def push(self, text: str) -> None:
        try:
            self.write_message(text)
        except WebSocketClosedError:
            self.live.channels.unsubscribe(self.session_id, self)

    def on_message(self, message: str | bytes) -> None:
        """Clients act through REST; anything sent here is ignored."""

    def on_close(self) -> None:
        if hasattr(self, "session_id"):
            self.live.channels.unsubscribe(self.session_id, self)


class PresenterSocket(_Socket):
    @ws_authenticated
    @authorized(action="read", resource=RESOURCE)
    async def get(self, session_id: str) -> None:
        self.session_id = int(session_id)
        await super().get(session_id)

    async def first_frame(self) -> dict[str, Any]:
        return await self.live.run(self.live.service.snapshot, self.session_id)


class ParticipantSocket(_Socket):
    @allow_unauthenticated  # participant: the session cookie is checked before the upgrade
    async def get(self, session_id: str) -> None:
        member = member_of(self, int(session_id))
        self.live.limiter.check("read", member)
        self.session_id, self.participant_id = member.session_id, member.participant_id
        await super().get(session_id)

    async def first_frame(self) -> dict[str, Any]:
        me = await self.live.run(self.live.service.me, self.session_id, self.participant_id)
        return {"type": "state", **me}


def routes() -> list[tuple[str, type]]:
    """Every route of the extension, in one place (Jupyter adds the base_url)."""
    live = f"{API}/live"
    session = f"{live}/sessions/{S}"
    return [
        (f"{live}/modules", ModulesHandler),
        (f"{live}/sessions", SessionsHandler),
        (session, SessionHandler),
        (f"{session}/participants", ParticipantsHandler),
        (f"{session}/polls", PollsHandler),
        (f"{session}/polls/{P}", PollHandler),
        (f"{session}/polls/{P}/(?P<action>open|close|reveal)", PollActionHandler),
        (f"{session}/next", NextPollHandler),
        (f"{session}/questions", QuestionsHandler),
        (f"{session}/questions/{Q}", QuestionHandler),
        (f"{session}/groups", GroupsHandler),
        (f"{session}/readiness", ReadinessHandler),
        (f"{session}/export.csv", ExportHandler),
        (f"{session}/ws", PresenterSocket),
        (f"{live}/join", JoinHandler),  # participant
        (f"{session}/me", MeHandler),  # participant
        (f"{session}/me/answers/{P}", AnswerHandler),  # participant
        (f"{session}/me/questions", AskHandler),  # participant
        (f"{session}/me/votes/{Q}", VoteHandler),  # participant
        (f"{session}/me/ws", ParticipantSocket),  # participant
        (f"{API}/events", EventsHandler),  # learner kernels, events token
        (f"{API}/.*", NotFoundHandler),
    ]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _same(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
