"""Every URL of the extension, in one place: the REST and websocket API under
``{base_url}course/api/``, the pages under ``{base_url}course/live/``.

All API bodies and replies are JSON (UTF-8, at most 64 KiB per request; 2 MiB for
learner events). Errors are ``{"message": "<what is wrong, naming the field>",
"reason": "<short>"}`` with 400 (invalid input), 403 (not allowed), 404, 409 (state
forbids it: poll closed, session ended, or the course's files do not allow it: a group
template gone), 413 (too large), 415 (not JSON) or 429 (rate limit; ``Retry-After``).
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
  PATCH  live/sessions/S/polls/P/words         {words: [word], state: approved|hidden|pending}
                                               → poll; a text poll's words reach the
                                               presenter only once approved (live.words)
  POST   live/sessions/S/next                  close the current poll, open the next draft
                                               → {poll: poll|null}
  GET    live/sessions/S/questions             [question] (hidden ones too)
  PATCH  live/sessions/S/questions/Q           {answered?, hidden?} → question
  GET    live/sessions/S/groups                [group]
  POST   live/sessions/S/groups                {size} or {count} → [group] (re-forms groups)
  GET    live/sessions/S/readiness             see course.live.readiness
  GET    live/sessions/S/export.csv            text/csv, one row per answer
  WS     live/sessions/S/ws                    presenter channel
  GET    server/settings                       the course's server settings as this server
                                               applied them (course.live.server_settings)

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
  GET    live/sessions/S/me/notebook           the group's notebook as a download (.ipynb),
                                               also after the session ended; 404 without one
  GET    live/sessions/S/me/app                {notebook, url}: the session's presentation
                                               app, on a port of its own that serves it
                                               alone, without a login (live.apps); 404
                                               when the module has none

Learner kernels: ``POST events`` with a JSON list of xAPI statements and the kernel's
event credential, ``Authorization: Bearer $COURSE_EVENTS_TOKEN`` → 200 {received,
stored, duplicates}; statements are stored once per ``id``, each with the credential's
learner as its actor (the body's actor is replaced); 403 without a valid credential
(a Jupyter token or login cookie is not one). Confined kernels reach this one route
over the server's Unix socket (``course.identity.events_socket``).

Shapes. session {id, module, title, state, current_poll_id, join_code*, created_at*}
(* instructor only). poll {id, key, position, kind: single|multiple|numeric|text,
question, options, state: draft|open|closed, revealed, correct†, results†}; † to
participants only once revealed. correct: option indices, or {value, tolerance}.
results {answers, counts[] (choice) | median, mean, histogram[{from,to,count}],
within_tolerance (numeric) | words[{word,count}], pending*, hidden* (text: words
holds the approved ones only)}. Answer ``value``: an option
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

Pages (HTML rendered by the server, data over the API; strict Content-Security-Policy,
no inline script):

  GET    /course/live/                         instructor: sessions, start one
  GET    /course/live/sessions/S/control       instructor: open/close/reveal polls, groups
  GET    /course/live/sessions/S/present       instructor: the projector view, chart, QR code
  GET    /course/live/join                     participant (public): code, then a name
  GET    /course/live/s/S                      participant (join cookie of S)
  GET    /course/live/s/S/notebook             participant (join cookie of S): sets the group
                                               cookie ``course-group`` (Path={base_url}) and
                                               redirects to the group notebook in JupyterLab,
                                               where the participant is a Jupyter user of
                                               their group only (course.identity); back to
                                               the page without a group or once ended
  GET    /course/live/static/…                 scripts and styles (public: code only)
"""

from __future__ import annotations

from typing import Any

from course.live.handlers import instructor, learner_events, participant, sockets
from course.live.handlers.base import STATIC, NotFoundHandler, StaticHandler
from course.live.pages import PAGES
from course.live.runtime import Live

API = "/course/api"
S = r"(?P<session_id>[0-9]{1,9})"
P = r"(?P<poll_id>[0-9]{1,9})"
Q = r"(?P<question_id>[0-9]{1,9})"


def routes(live: Live) -> list[tuple[str, type, dict[str, Any]]]:
    """Every route with its handler and the handler's kwargs (Jupyter adds the base_url)."""
    api = f"{API}/live"
    session = f"{api}/sessions/{S}"
    page = f"{PAGES}/sessions/{S}"
    given_live = [
        # instructor: Jupyter auth, then the Authorizer on resource "course"
        (f"{api}/modules", instructor.ModulesHandler),
        (f"{api}/sessions", instructor.SessionsHandler),
        (session, instructor.SessionHandler),
        (f"{session}/participants", instructor.ParticipantsHandler),
        (f"{session}/polls", instructor.PollsHandler),
        (f"{session}/polls/{P}", instructor.PollHandler),
        (f"{session}/polls/{P}/(?P<action>open|close|reveal)", instructor.PollActionHandler),
        (f"{session}/polls/{P}/words", instructor.WordsHandler),
        (f"{session}/next", instructor.NextPollHandler),
        (f"{session}/questions", instructor.QuestionsHandler),
        (f"{session}/questions/{Q}", instructor.QuestionHandler),
        (f"{session}/groups", instructor.GroupsHandler),
        (f"{session}/readiness", instructor.ReadinessHandler),
        (f"{session}/export.csv", instructor.ExportHandler),
        (f"{session}/ws", sockets.PresenterSocket),
        (f"{API}/server/settings", instructor.ServerSettingsHandler),
        (f"{PAGES}/?", instructor.IndexPage),
        (f"{page}/control", instructor.ControlPage),
        (f"{page}/present", instructor.PresenterPage),
        # participant: NO Jupyter auth. Joining is public; the rest needs S's cookie
        (f"{api}/join", participant.JoinHandler),  # public: the code lets one in
        (f"{session}/me", participant.MeHandler),  # no Jupyter auth: S's cookie
        (f"{session}/me/answers/{P}", participant.AnswerHandler),  # no Jupyter auth: cookie
        (f"{session}/me/questions", participant.AskHandler),  # no Jupyter auth: cookie
        (f"{session}/me/votes/{Q}", participant.VoteHandler),  # no Jupyter auth: cookie
        (f"{session}/me/ws", sockets.ParticipantSocket),  # no Jupyter auth: cookie
        (f"{session}/me/notebook", participant.GroupNotebookDownload),  # no Jupyter auth: cookie
        (f"{session}/me/app", participant.AppHandler),  # no Jupyter auth: cookie
        (f"{PAGES}/join", participant.JoinPage),  # public
        (f"{PAGES}/s/{S}", participant.ParticipantPage),  # no Jupyter auth: cookie
        (f"{PAGES}/s/{S}/notebook", participant.GroupNotebookPage),  # no Jupyter auth: cookie
        # learner kernels: NO Jupyter auth; their own event credential (auth.events_learner)
        (f"{API}/events", learner_events.EventsHandler),
        # anything else under the API: a JSON 404, before any auth
        (f"{API}/.*", NotFoundHandler),
    ]
    return [(url, handler, {"live": live}) for url, handler in given_live] + [
        (f"{PAGES}/static/(.*)", StaticHandler, {"path": str(STATIC)}),  # public: code only
    ]
