"""Who may do what on the workshop service: the hub's instructors, nobody else.

Learners reach the workshop through hub OAuth (to join live sessions as themselves),
and Jupyter then knows them as hub users. Only a token carrying the instructors' scope
(``custom:course:instruct``, given by the ``course-instructor`` role and passed on by
the service's ``oauth_client_allowed_scopes``) may use what Jupyter's Authorizer
guards: the course extension's instructor pages and APIs, files, kernels, terminals.
The participant routes of live sessions ask no Authorizer (a join cookie opens them).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import User

from course.hub.config import INSTRUCT_SCOPE


def is_instructor(user: User) -> bool:
    """Whether the hub gave this user's token the instructors' scope."""
    hub_user = getattr(user, "hub_user", None) or {}
    return INSTRUCT_SCOPE in hub_user.get("scopes", ())


class WorkshopAuthorizer(Authorizer):
    """Everything for the hub's instructors; nothing the Authorizer guards for others."""

    def is_authorized(self, handler: Any, user: User, action: str, resource: str) -> bool:
        allowed = is_instructor(user)
        if not allowed:
            self.log.warning(
                "workshop: refused %s (no %s): %s on %s",
                user.username,
                INSTRUCT_SCOPE,
                action,
                resource,
            )
        return allowed
