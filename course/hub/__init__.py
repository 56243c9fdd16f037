"""One course on JupyterHub: the hub's groups, roles and the live workshop service.

A deployment's ``jupyterhub_config.py`` (``deploy/jupyterhub/`` is an example) calls
``configure_hub`` with the course's folder on the hub machine and the site's choices
(the nbgrader exchange, the service's address); every course fact (its id, its
instructors) comes from course.yml. ``course.hub.spawn`` prepares learners' servers.
"""

from course.hub.config import (
    INSTRUCT_SCOPE,
    INSTRUCTORS,
    LEARNERS,
    SERVICE,
    HubSite,
    configure_hub,
)

__all__ = ["INSTRUCTORS", "INSTRUCT_SCOPE", "LEARNERS", "SERVICE", "HubSite", "configure_hub"]
