"""Learners' kernels post progress events (xAPI statements) here, with the events token."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated

from course.live import schemas
from course.live.auth import check_events_token
from course.live.errors import Invalid
from course.live.handlers.base import LiveHandler


class EventsHandler(LiveHandler):
    @allow_unauthenticated  # kernels send the events token instead: check_events_token
    async def post(self) -> None:
        check_events_token(self, self.live.events_token)
        statements = self.statements(self.json(schemas.MAX_EVENTS_BODY))
        actors = {s.actor.account.name if s.actor.account else s.actor.name for s in statements}
        for actor in actors:
            self.live.limiter.check("events", actor)
        self.reply(await self.live.run(self.live.service.record_events, statements))

    def check_xsrf_cookie(self) -> None:
        """Kernels post with a token header, never with cookies: no XSRF token to check."""

    def statements(self, data: Any) -> list[schemas.Statement]:
        if not isinstance(data, list):
            raise Invalid("body: a JSON list of xAPI statements")
        return schemas.parse(schemas.Statements, {"items": data}).items
