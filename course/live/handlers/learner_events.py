"""Learners' kernels post progress events (xAPI statements) here, with their event credential.

The actor of every statement is the credential's subject (``auth.events_learner``):
a kernel holds the credential of its own learner only, so it can post that learner's
events and nobody else's, whatever the statements' ``actor`` says.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated

from course.learn.events import as_learner
from course.live import schemas
from course.live.auth import events_learner
from course.live.errors import Invalid
from course.live.handlers.base import LiveHandler


class EventsHandler(LiveHandler):
    @allow_unauthenticated  # kernels send their event credential instead: events_learner
    async def post(self) -> None:
        learner = events_learner(self, self.live.credentials)
        self.live.limiter.check("events", learner)
        statements = self.statements(as_learner(self.posted(), learner))
        self.reply(await self.live.run(self.live.service.record_events, statements))

    def check_xsrf_cookie(self) -> None:
        """Kernels post with a credential header, never with cookies: no XSRF token to check."""

    def posted(self) -> list[Any]:
        data = self.json(schemas.MAX_EVENTS_BODY)
        if not isinstance(data, list):
            raise Invalid("body: a JSON list of xAPI statements")
        return data

    @staticmethod
    def statements(data: list[Any]) -> list[schemas.Statement]:
        return schemas.parse(schemas.Statements, {"items": data}).items
