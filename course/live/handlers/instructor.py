"""What the instructor does: the REST API of sessions, polls, questions and groups, and
the instructor's pages (session list, control, presenter).

Every method is ``@instructor``: Jupyter's own authentication, then its Authorizer on
the resource ``course`` (read for GET, write otherwise).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join

from course.live import schemas
from course.live.auth import instructor
from course.live.handlers.base import LiveHandler, PageHandler
from course.live.pages import join_url, qr_svg
from course.live.server_settings import applied_settings

# REST ---------------------------------------------------------------------------------------


class ModulesHandler(LiveHandler):
    @instructor
    async def get(self) -> None:
        self.reply(self.live.service.modules())


class SessionsHandler(LiveHandler):
    @instructor
    async def get(self) -> None:
        self.reply(await self.live.run(self.live.service.sessions))

    @instructor
    async def post(self) -> None:
        spec = self.body(schemas.NewSession)
        created = await self.live.run(self.live.service.create_session, spec.module, spec.title)
        self.reply(created, 201)


class SessionHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str) -> None:
        self.reply(await self.live.run(self.live.service.session, int(session_id)))

    @instructor
    async def patch(self, session_id: str) -> None:
        change = self.body(schemas.SessionChange)
        sid = int(session_id)
        session = await self.live.run(self.live.service.change_session, sid, change.state)
        # Ending closes the open poll: phones hear of both at once, not at the next question.
        current = session["current_poll_id"]
        self.touch(sid, ("session", 0), *([("poll", current)] if current else []))
        self.reply(session)


class ParticipantsHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str) -> None:
        self.reply(await self.live.run(self.live.service.participants, int(session_id)))


class PollsHandler(LiveHandler):
    @instructor
    async def post(self, session_id: str) -> None:
        poll = self.body(schemas.NewPoll)
        created = await self.live.run(self.live.service.add_poll, int(session_id), poll)
        self.touch(int(session_id), ("poll", created["id"]))
        self.reply(created, 201)


class PollHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str, poll_id: str) -> None:
        results = await self.live.run(self.live.service.results, int(session_id), int(poll_id))
        self.reply(results)


class WordsHandler(LiveHandler):
    """A text poll's words held for the instructor's approval (``course.live.words``)."""

    @instructor
    async def patch(self, session_id: str, poll_id: str) -> None:
        change = self.body(schemas.WordsChange)
        sid = int(session_id)
        poll = await self.live.run(
            self.live.service.moderate_words, sid, int(poll_id), change.words, change.state
        )
        self.touch(sid, ("poll", poll["id"]))
        self.reply(poll)


class PollActionHandler(LiveHandler):
    @instructor
    async def post(self, session_id: str, poll_id: str, action: str) -> None:
        sid = int(session_id)
        poll = await self.live.run(self.live.service.poll_action, sid, int(poll_id), action)
        self.touch(sid, ("session", 0), ("poll", poll["id"]))
        self.reply(poll)


class NextPollHandler(LiveHandler):
    @instructor
    async def post(self, session_id: str) -> None:
        sid = int(session_id)
        before = await self.live.run(self.live.service.session, sid)
        poll = await self.live.run(self.live.service.next_poll, sid)
        changed = [("poll", p["id"]) for p in before["polls"] if p["state"] == "open"]
        if poll:
            changed.append(("poll", poll["id"]))
        self.touch(sid, ("session", 0), *changed)
        self.reply({"poll": poll})


class QuestionsHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str) -> None:
        questions = await self.live.run(
            self.live.service.questions, int(session_id), instructor=True
        )
        self.reply(questions)


class QuestionHandler(LiveHandler):
    @instructor
    async def patch(self, session_id: str, question_id: str) -> None:
        change = self.body(schemas.QuestionChange)
        question = await self.live.run(
            self.live.service.moderate,
            int(session_id),
            int(question_id),
            answered=change.answered,
            hidden=change.hidden,
        )
        self.touch(int(session_id), ("questions", 0))
        self.reply(question)


class GroupsHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str) -> None:
        self.reply(await self.live.run(self.live.service.groups, int(session_id)))

    @instructor
    async def post(self, session_id: str) -> None:
        spec = self.body(schemas.FormGroups)
        groups = await self.live.run(self.live.service.form_groups, int(session_id), spec)
        self.touch(int(session_id), ("groups", 0))
        self.reply(groups)


class ReadinessHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str) -> None:
        self.reply(await self.live.run(self.live.service.readiness, int(session_id)))


class ExportHandler(LiveHandler):
    @instructor
    async def get(self, session_id: str) -> None:
        text = await self.live.run(self.live.service.export_csv, int(session_id))
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="session-{session_id}.csv"')
        self.set_header("X-Content-Type-Options", "nosniff")
        JupyterHandler.finish(self, text)  # APIHandler.finish would relabel it as JSON


# pages --------------------------------------------------------------------------------------


class InstructorPage(PageHandler):
    def page(self, template: str, **context: Any) -> None:
        super().page(template, xsrf=self.xsrf_token.decode(), **context)


class IndexPage(InstructorPage):
    @instructor
    async def get(self) -> None:
        sessions = await self.live.run(self.live.service.sessions)
        course = self.live.service.course
        self.page(
            "index.html",
            sessions=list(reversed(sessions)),
            modules=[m for m in course.modules if m.live is not None],
            course=course,
            title="Live sessions",
        )


class ControlPage(InstructorPage):
    @instructor
    async def get(self, session_id: str) -> None:
        state = await self.live.run(self.live.service.session, int(session_id))
        self.page(
            "control.html",
            session=state["session"],
            join=join_url(*self.public(), state["session"]["join_code"]),
            title=f"Control · {state['session']['title']}",
        )


class PresenterPage(InstructorPage):
    @instructor
    async def get(self, session_id: str) -> None:
        state = await self.live.run(self.live.service.session, int(session_id))
        origin, base = self.public()
        join = join_url(origin, base, state["session"]["join_code"])
        self.page(
            "presenter.html",
            session=state["session"],
            join=join,
            join_origin=origin,
            join_path=join_url("", base),
            qr=qr_svg(join),
            app=self.app_url(state["session"]["module"]),
            title=state["session"]["title"],
        )

    def app_url(self, module_id: str) -> str | None:
        """The module's presentation app, rendered by Voila inside this same server."""
        course = self.live.service.course
        module = next((m for m in course.modules if m.id == module_id), None)
        if module is None or module.live is None or module.live.present is None:
            return None
        return url_path_join(self.base_url, "voila/render", quote(module.live.present))


class ServerSettingsHandler(LiveHandler):
    """The course's settings as this server applied them (``course.live.server_settings``)."""

    @instructor
    async def get(self) -> None:
        self.reply(applied_settings(self.serverapp))
