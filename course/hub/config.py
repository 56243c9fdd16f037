"""JupyterHub's configuration for one course, derived from course.yml and the site's choices.

What the hub knows of the course:

* two groups, ``instructors`` (course.yml's ``instructors``) and ``learners`` (the
  site's list of learners' hub names), each with a role;
* the live workshop server as a hub-managed service, ``workshop``: a Jupyter server
  with the course extension in the instructor's course folder, reached through hub
  OAuth. Learners and instructors may reach it; only the ``custom:course:instruct``
  scope (the instructors' role) carries into its tokens, so the service can tell the
  instructor from a learner without a second list;
* learners' own servers: started in their copy of the course (``course.hub.spawn``),
  with the nbgrader exchange and their learner id in their environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.layout import EXCHANGE_VARIABLE, LEARNER_VARIABLE
from course.plan import Course

SERVICE = "workshop"
INSTRUCTORS = "instructors"
LEARNERS = "learners"
INSTRUCT_SCOPE = "custom:course:instruct"
ACCESS_SERVICE = f"access:services!service={SERVICE}"


@dataclass(frozen=True)
class HubSite:
    """The site's choices, none of them course facts."""

    exchange: Path  # nbgrader's exchange, one folder every server of the course can write
    service_url: str = "http://127.0.0.1:10101"  # where the hub starts the workshop server
    learners: Iterable[str] = field(default_factory=tuple)  # hub names of the learners
    # Make each learner's ~/<course id> from the course folder before their server starts
    # (one machine); False where their image or nbgitpuller brings it (Kubernetes).
    copy_course: bool = True


def configure_hub(c: Any, course: Course, site: HubSite) -> None:
    """Set the course's groups, roles, workshop service and spawner options on ``c``."""
    c.JupyterHub.custom_scopes = {
        INSTRUCT_SCOPE: {"description": f"teach {course.id}: the workshop's instructor pages"}
    }
    c.JupyterHub.load_groups = {
        INSTRUCTORS: {"users": list(course.instructors)},
        LEARNERS: {"users": sorted(set(site.learners) - set(course.instructors))},
    }
    c.JupyterHub.load_roles = [
        {
            "name": "course-learner",
            "description": "learns in the course: their own server and the workshop",
            "groups": [LEARNERS],
            "scopes": ["self", ACCESS_SERVICE],
        },
        {
            "name": "course-instructor",
            "description": "teaches the course: the workshop's instructor pages, learners' servers",
            "groups": [INSTRUCTORS],
            "scopes": [
                "self",
                ACCESS_SERVICE,
                INSTRUCT_SCOPE,
                f"read:users!group={LEARNERS}",
                f"admin:servers!group={LEARNERS}",
            ],
        },
    ]
    c.JupyterHub.services = [workshop_service(course, site)]
    _configure_spawner(c, course, site)


def workshop_service(course: Course, site: HubSite) -> dict[str, Any]:
    """The live workshop server: ``jupyterhub-singleuser`` in the course folder.

    ``jupyterhub-singleuser`` takes its address and hub OAuth from the environment the
    hub gives it; the course extension and its settings come with the kit's Jupyter
    configuration, as for any Jupyter server started in a course folder.
    """
    return {
        "name": SERVICE,
        "display": True,
        "url": site.service_url,
        "command": [
            sys.executable,
            "-m",
            "jupyterhub.singleuser",
            "--ServerApp.authorizer_class=course.hub.authorizer.WorkshopAuthorizer",
            # Containers and workshop VMs often run the hub as root; Jupyter refuses unless told.
            *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
        ],
        "cwd": str(course.root),
        "environment": {EXCHANGE_VARIABLE: str(site.exchange)},
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": [INSTRUCT_SCOPE],
    }


def _configure_spawner(c: Any, course: Course, site: HubSite) -> None:
    from course.hub.spawn import copy_course_for_learner, learner_id

    c.Spawner.notebook_dir = f"~/{course.id}"
    c.Spawner.default_url = "/lab"
    c.Spawner.environment = {
        EXCHANGE_VARIABLE: str(site.exchange),
        LEARNER_VARIABLE: learner_id,
        # nbgitpuller links clone into ~/<course id>: the server's root, not below it.
        "NBGITPULLER_PARENTPATH": "..",
    }
    if site.copy_course:
        c.Spawner.pre_spawn_hook = lambda spawner: copy_course_for_learner(course, spawner)
