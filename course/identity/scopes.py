"""The routes a learner may reach at all: everything else on the server answers 403.

Jupyter's Authorizer is only asked by handlers that use ``@authorized``; nbgrader's
formgrader, JupyterLab's settings and workspaces APIs and some extensions only check
that someone is signed in. So a learner's identity is scoped: the identity provider
refuses a learner any request whose route and method are not listed here, and the
Authorizer then checks what each allowed route touches (which files, which kernel).
A new extension's routes are closed to learners until they are listed.

Patterns are matched against the path below the server's ``base_url``; ``{me}`` is
the learner's own id (their JupyterLab workspace state).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READ = frozenset({"GET", "HEAD"})
ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    pattern: str
    methods: frozenset[str]
    why: str


LEARNER_ROUTES = (
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
    Route(r"api/contents(/.*)?|files/.*", ANY, "files (the Authorizer: their workspace only)"),
    Route(r"api/(kernels|sessions)(/.*)?", ANY, "kernels (the kernel manager: their own)"),
    Route(r"api/nbconvert|nbconvert/.*", ANY, "downloads of their notebooks"),
    Route(r"api/collaboration/(session|room)/.*", ANY, "their documents' rooms"),
    Route(r"api/security/csp-report", frozenset({"POST"}), "the browser's CSP reports"),
    Route(r"course/.*", ANY, "the course extension (instructor routes: the Authorizer)"),
    Route(r"logout", ANY, "signing out"),
)


def learner_may_reach(path: str, method: str, learner_id: str) -> bool:
    """Whether ``method path`` (below base_url, no leading slash) is a learner's route."""
    me = re.escape(learner_id)
    return any(
        method in route.methods and re.fullmatch(route.pattern.replace("{me}", me), path)
        for route in LEARNER_ROUTES
    )
