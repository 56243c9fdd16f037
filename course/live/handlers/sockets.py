"""The presenter's and the participants' websockets: push-only channels of ``Channels``.

The first frame is the whole state, then coalesced updates (see ``course.live.routes``
for the frames). The presenter's socket needs Jupyter's auth and read access on
``course``; a participant's socket the session's cookie, checked before the upgrade.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from course.errors import CourseError
from course.live.auth import RESOURCE, instructor_socket, member_of
from course.live.handlers.base import KitErrors
from course.live.runtime import Live
from course.live.views import dumps


class _Socket(KitErrors, WebSocketMixin, WebSocketHandler, ExtensionHandlerMixin, JupyterHandler):
    """A push-only channel: one subscriber of ``Channels``; inbound frames are ignored."""

    auth_resource = RESOURCE
    session_id: int
    participant_id: int | None = None

    def initialize(self, name: str, live: Live) -> None:
        super().initialize(name)
        self.live = live

    @property
    def max_message_size(self) -> int:
        return 1024

    def set_default_headers(self) -> None:
        """No CSP or cache headers on a websocket handshake (as Jupyter's kernel sockets)."""

    async def first_frame(self) -> dict[str, Any]:
        raise NotImplementedError

    async def open(self, session_id: str) -> None:
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
    @instructor_socket
    async def get(self, session_id: str) -> None:
        self.session_id = int(session_id)
        await super().get(session_id)

    async def first_frame(self) -> dict[str, Any]:
        return await self.live.run(self.live.service.snapshot, self.session_id)


class ParticipantSocket(_Socket):
    @allow_unauthenticated  # participant: the session cookie is checked before the upgrade
    async def get(self, session_id: str) -> None:
        member = member_of(self, self.live.service, int(session_id))
        self.live.limiter.check("read", member)
        self.session_id, self.participant_id = member.session_id, member.participant_id
        await super().get(session_id)

    async def first_frame(self) -> dict[str, Any]:
        me = await self.live.run(self.live.service.me, self.session_id, self.participant_id)
        return {"type": "state", **me}
