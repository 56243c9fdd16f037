"""The course server behind JupyterHub: the hub user, through hub OAuth, as a roster id.

Configure the server with ``ServerApp.identity_provider_class =
course.identity.hub.HubCourseIdentityProvider`` (and the kit's Authorizer and kernel
manager as usual). JupyterHub's own provider does the OAuth and its access scopes;
this one maps the hub user it returns:

* a hub user named in course.yml's ``instructors`` is the instructor;
* a hub user the roster knows (its ``hub_user``, else an equal id, ignoring case) is
  that learner, with every learner's rights and limits;
* anyone else is refused (403): being allowed onto the hub is not being enrolled.

Needs JupyterHub (``pip install jupyterhub``); imported only when configured.
"""

from __future__ import annotations

from jupyter_server.auth.identity import User
from jupyterhub.singleuser.extension import JupyterHubIdentityProvider
from tornado import web

from course.identity.provider import CourseIdentity
from course.workspace.files import UnsafePath


class HubCourseIdentityProvider(CourseIdentity, JupyterHubIdentityProvider):  # type: ignore[misc]
    """JupyterHub's OAuth, then the hub user mapped to the course (see the module)."""

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        hub_user: User | None = await super().get_user(handler)
        if hub_user is None:
            return None
        user = self.identities.for_hub_user(hub_user.username)
        if user is None:
            raise web.HTTPError(403, f"hub user {hub_user.username} is not on the course roster")
        if user.is_learner:
            try:
                self.identities.first_visit(user.learner)
            except UnsafePath as error:
                message = f"your workspace has a link where files go: {error}"
                raise web.HTTPError(409, message) from None
        return self.scoped(handler, self.grouped(handler, user))
