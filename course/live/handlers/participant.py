"""What a join-code participant can reach: joining, their session's ``/me`` routes, the
join page, the participant page, and the door to their group's notebook.

These are the only handlers of the extension open without Jupyter's authentication
(``allow_unauthenticated``). Joining is public (the code is what lets one in); every
other route checks the session's cookie first (``auth.member_of``). Nothing here
reaches kernels; the group notebook's door (``GroupNotebookPage``) sets the group
cookie with which the identity provider makes the participant a Jupyter user of their
group's folder, room and kernel (``course.identity``), and the download reads only the
caller's own group's notebook.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.utils import url_path_join
from tornado import web

from course.identity.participation import GROUP_COOKIE, cookie_value
from course.live import schemas
from course.live.auth import cookie_name, member_of, set_participant_cookie, signed_in_learner
from course.live.errors import Conflict, Forbidden, NotFound
from course.live.handlers.base import LiveHandler, PageHandler
from course.live.pages import PAGES
from course.live.participants import Member

# REST ---------------------------------------------------------------------------------------


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
        """The caller as a participant of this session, or Forbidden."""
        return member_of(self, self.live.service, int(session_id))


class JoinHandler(ParticipantHandler):
    @allow_unauthenticated  # anyone with the code may join: this is how participants start
    async def post(self) -> None:
        spec = self.body(schemas.Join)
        address = self.request.remote_ip or "?"
        # Only wrong codes cost, and a right code is not locked out by a room's typos
        # (course.identity.attempts says how, and why guessing stays infeasible).
        self.live.limiter.join(address, spec.code)
        # A learner who signed in (a code, or the hub) joins as themselves.
        learner = signed_in_learner(self, self.live.service.course)
        try:
            joined = await self.live.run(
                self.live.service.join, spec.code, spec.name, spec.anonymous, learner
            )
        except NotFound:
            self.live.limiter.wrong_codes.failed(address)
            raise
        self.live.limiter.wrong_codes.succeeded(address, spec.code)
        set_participant_cookie(self, joined.session["id"], joined.secret)
        self.touch(joined.session["id"], ("participants", 0))
        self.reply({"session": joined.session, "participant": joined.participant}, 201)


class MeHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def get(self, session_id: str) -> None:
        member = self.member(session_id)
        self.live.limiter.check("read", member)
        me = await self.live.run(self.live.service.me, member.session_id, member.participant_id)
        self.reply(me)


class AnswerHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def put(self, session_id: str, poll_id: str) -> None:
        member = self.member(session_id)
        self.live.limiter.check("answer", member)
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
        self.live.limiter.check("question", member)
        text = self.body(schemas.NewQuestion).text
        question = await self.live.run(
            self.live.service.ask, member.session_id, member.participant_id, text
        )
        self.touch(member.session_id, ("questions", 0))
        self.reply(question, 201)


class VoteHandler(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def put(self, session_id: str, question_id: str) -> None:
        member = self.member(session_id)
        self.live.limiter.check("vote", member)
        question = await self.live.run(
            self.live.service.vote, member.session_id, member.participant_id, int(question_id)
        )
        self.touch(member.session_id, ("questions", 0))
        self.reply(question)


class GroupNotebookDownload(ParticipantHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def get(self, session_id: str) -> None:
        """The group's notebook as a file, during the session and after it ended."""
        member = self.member(session_id)
        self.live.limiter.check("read", member)
        assert self.live.rooms is not None
        notebook = await self.live.run(
            self.live.rooms.notebook, member.session_id, member.participant_id
        )
        if notebook is None or not notebook.is_file():
            raise web.HTTPError(404, "your group has no notebook (yet)")
        self.set_header("Content-Type", "application/x-ipynb+json")
        self.set_header("Content-Disposition", f'attachment; filename="{notebook.name}"')
        self.set_header("Cache-Control", "no-store")
        self.finish(notebook.read_bytes())


class AppHandler(ParticipantHandler):
    """Where the session's presentation app is (``course.live.apps``): started on first
    use, on a port of its own that serves that app alone, without a login."""

    @allow_unauthenticated  # participant: the session cookie is checked by member()
    async def get(self, session_id: str) -> None:
        member = self.member(session_id)
        self.live.limiter.check("read", member)
        me = await self.live.run(self.live.service.me, member.session_id, member.participant_id)
        session = me["session"]
        if session["state"] != "open":
            raise Conflict("this session has ended")
        apps = self.live.apps
        notebook = apps.notebook(session["module"]) if apps else None
        if apps is None or notebook is None:
            raise NotFound(f"module {session['module']}: no presentation app in this session")
        port = await apps.port(notebook)
        self.reply({"notebook": notebook, "url": f"http://{self._host()}:{port}/"})

    def _host(self) -> str:
        """The host the participant reached this server by (or the public URL's)."""
        host = urlsplit(self.live.public_url).hostname if self.live.public_url else None
        host = host or self.request.host_name
        return f"[{host}]" if ":" in host else host


# pages --------------------------------------------------------------------------------------


class JoinPage(PageHandler):
    @allow_unauthenticated  # the join page is how participants start: public
    def get(self) -> None:
        code = self.get_argument("code", "")[:12]
        self.page("join.html", code=code, title="Join a live session")


class ParticipantPage(PageHandler):
    @allow_unauthenticated  # participant: the session cookie is checked by member_of
    def get(self, session_id: str) -> None:
        try:
            member_of(self, self.live.service, int(session_id))
        except Forbidden:
            self.redirect(url_path_join(self.base_url, PAGES, "join"))
            return
        self.page("participant.html", session_id=int(session_id), title="Live session")


class GroupNotebookPage(PageHandler):
    """The participant page's "Open the group notebook": sets the group cookie (path: the
    whole server, HttpOnly, SameSite=Strict) and opens the notebook in JupyterLab, as the
    participant's own Jupyter user (``course.identity.provider``)."""

    @allow_unauthenticated  # participant: the session cookie is checked by member_of
    def get(self, session_id: str) -> None:
        back = url_path_join(self.base_url, PAGES, "s", session_id)
        try:
            member = member_of(self, self.live.service, int(session_id))
        except Forbidden:
            self.redirect(url_path_join(self.base_url, PAGES, "join"))
            return
        secret = self.get_cookie(cookie_name(member.session_id)) or ""
        assert self.live.rooms is not None
        found = self.live.rooms.participation(member.session_id, secret)
        if found is None or not found.in_group:
            self.redirect(back)  # no group (yet), or the session ended: the page says so
            return
        self.set_cookie(
            GROUP_COOKIE,
            cookie_value(member.session_id, secret),
            path=self.base_url,
            httponly=True,
            samesite="Strict",
            secure=self.request.protocol == "https",
        )
        me = quote(f"participant-{found.participant_id}")
        self.redirect(
            url_path_join(self.base_url, "lab/workspaces", me, "tree", quote(found.notebook))
        )
