"""What a kernel is told so its progress events reach the course server as its person's.

Three variables, read by ``course.learn.events``: ``COURSE_LEARNER`` (the actor its
own log records), ``COURSE_EVENTS_URL`` (where to post) and ``COURSE_EVENTS_TOKEN``
(an event credential for that person only, ``course.identity.credentials``).

On the course server the kit's kernel manager gives every kernel its own
(``course.identity.kernels``). A one-person server (a plain ``jupyter lab`` in the
course, a JupyterHub single-user server) has no such manager: its kernels post as
``server_person``, the one person the server belongs to.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from course.identity.credentials import Credentials
from course.learn.context import learner
from course.record.roster import Roster


def events_environment(credentials: Credentials, subject: str, url: str) -> dict[str, str]:
    """The variables of a kernel posting ``subject``'s events to ``url``, with a fresh
    credential for ``subject``."""
    return {
        "COURSE_LEARNER": subject,
        "COURSE_EVENTS_URL": url,
        "COURSE_EVENTS_TOKEN": credentials.issue(subject),
    }


def server_person(roster: Roster, environ: Mapping[str, str] = os.environ) -> str:
    """Whom a one-person server's kernels post as: its JupyterHub user as the roster knows
    them (their roster id), else ``COURSE_LEARNER`` or the system user (as the learner's
    own log names them)."""
    hub_user = environ.get("JUPYTERHUB_USER", "").strip()
    if not hub_user:
        return environ.get("COURSE_LEARNER", "").strip() or learner()
    enrolled = roster.for_hub_user(hub_user)
    return enrolled.id if enrolled is not None else hub_user
