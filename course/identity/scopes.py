"""The routes each kind of identity may reach at all: everything else answers 403.

Jupyter's Authorizer is only asked by handlers that use ``@authorized``; nbgrader's
formgrader, JupyterLab's settings and workspaces APIs and some extensions only check
that someone is signed in. So every identity but the instructor's is scoped: the
identity provider refuses any request whose route and method are not listed for its
role here (``ROUTES``; a role with no table reaches nothing), and the Authorizer then
checks what each allowed route touches (which files, which kernel). A new
extension's routes are closed to learners until they are listed.

Patterns are matched against the path below the server's ``base_url``; ``{me}`` is
the user's own name (a learner's id: their JupyterLab workspace state).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from course.identity.users import LEARNER, PARTICIPANT

READ = frozenset({"GET", "HEAD"})
ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    pattern: str
    methods: frozenset[str]
    why: str


# What JupyterLab itself needs to open, for every scoped role.
JUPYTERLAB = (
    Route(r"lab(/tree/.*|/workspaces/{me}(/.*)?)?/?", READ, "the JupyterLab page"),
    Route(r"lab/api/workspaces/{me}", ANY, "their own JupyterLab layout"),
    Route(
        r"lab/api/(settings|translations|themes|listings|licenses|plugins|build)(/.*)?",
        READ,
        "JupyterLab's read-only configuration",
    ),
    Route(r"(lab/)?static/.*|lab/extensions/.*|favicon\.ico", READ, "code and styles"),
    Route(r"api/(me|status|kernelspecs)(/.*)?|kernelspecs/.*", READ, "who they are; kernels"),
    Route(r"api/config/[\w.-]+", READ, "front-end settings"),
)

# The course extension (its instructor routes: the Authorizer) and the browser's own.
COMMON = (
    Route(r"api/security/csp-report", frozenset({"POST"}), "the browser's CSP reports"),
    Route(r"course/.*", ANY, "the course extension (instructor routes: the Authorizer)"),
    Route(r"logout", ANY, "signing out"),
)


LEARNER_ROUTES = (
    *JUPYTERLAB,
    Route(r"api/contents(/.*)?|files/.*", ANY, "files (the Authorizer: their workspace only)"),
    Route(r"api/(kernels|sessions)(/.*)?", ANY, "kernels (the kernel manager: their own)"),
    Route(r"api/nbconvert|nbconvert/.*", ANY, "downloads of their notebooks"),
    Route(r"api/collaboration/(session|room)/.*", ANY, "their documents' rooms"),
    *COMMON,
)


# A join-code participant: JupyterLab on their group's notebook, nothing of the course.
# The Authorizer narrows each route to their group's folder, room and kernel.
PARTICIPANT_ROUTES = (
    *JUPYTERLAB,
    Route(
        r"api/contents(/.*)?|files/.*",
        READ | {"PUT", "POST"},
        "their group's files (the Authorizer: that folder only; nothing deleted or moved)",
    ),
    Route(r"api/(kernels|sessions)(/.*)?", ANY, "their group's kernel (the kernel manager)"),
    Route(r"api/nbconvert|nbconvert/.*", READ, "downloads of their group's notebook"),
    Route(r"api/collaboration/(session|room)/.*", ANY, "their group's room"),
    *COMMON,
)


ROUTES: dict[str, tuple[Route, ...]] = {LEARNER: LEARNER_ROUTES, PARTICIPANT: PARTICIPANT_ROUTES}


def may_reach(role: str, path: str, method: str, me: str) -> bool:
    """Whether ``method path`` (below base_url, no leading slash) is open to ``role``."""
    mine = re.escape(me)
    return any(
        method in route.methods and re.fullmatch(route.pattern.replace("{me}", mine), path)
        for route in ROUTES.get(role, ())
    )
