"""nbgrader's formgrader asks the server's Authorizer, as Jupyter's own handlers do.

The formgrader's pages and API only check that someone is logged in
(``@web.authenticated``), never Jupyter's Authorizer. Where more people than the
instructor log in to the server that runs it (a hub's workshop service, where every
hub learner arrives through hub OAuth), any of them could read the gradebook and
submissions, or release and grade, through ``/formgrader/api``. Once every extension
is loaded, each formgrader route gets a subclass of its handler that first asks the
Authorizer for resource ``nbgrader`` (``read`` for GET and HEAD, ``write`` otherwise)
and answers 403 when refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from inspect import isawaitable
from typing import Any

from nbgrader.server_extensions.formgrader.base import BaseHandler
from tornado import web

RESOURCE = "nbgrader"
READS = ("GET", "HEAD", "OPTIONS")


class AuthorizedFormgrader(BaseHandler):  # type: ignore[misc]
    """The mixin put in front of every formgrader handler (see the module)."""

    async def prepare(self) -> None:
        prepared = super().prepare()
        if isawaitable(prepared):
            await prepared
        user = self.current_user
        if self._finished or user is None:
            return  # refused already, or not logged in: @web.authenticated answers
        action = "read" if self.request.method in READS else "write"
        allowed = self.authorizer.is_authorized(self, user, action, RESOURCE)
        if isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            raise web.HTTPError(403, f"the formgrader is the instructor's ({action} refused)")


def guard_formgrader(web_app: web.Application) -> int:
    """Put ``AuthorizedFormgrader`` in front of every formgrader route; how many."""
    guarded = 0
    for rule in _rules(web_app.default_router):
        target = rule.target
        if (
            isinstance(target, type)
            and issubclass(target, BaseHandler)
            and not issubclass(target, AuthorizedFormgrader)
        ):
            rule.target = type(target.__name__, (AuthorizedFormgrader, target), {})
            guarded += 1
    return guarded


def _rules(router: Any) -> Iterator[Any]:
    for rule in router.rules:
        if hasattr(rule.target, "rules"):
            yield from _rules(rule.target)
        else:
            yield rule
