"""Live sessions: the course server and its ``course`` extension (polls, questions, groups).

``serve`` runs the course's Jupyter server; the extension itself is
``course.live.app.CourseLiveApp`` (its URLs in ``course.live.routes``), and the service
behind it, callable without HTTP, is ``course.live.service.LiveService``.
"""

from typing import Any

from course.live.server import serve, server_argv

__all__ = ["serve", "server_argv"]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """How Jupyter finds the extension (enabled by extensions/jupyter_server_config.d)."""
    from course.live.app import CourseLiveApp

    return [{"module": "course.live", "app": CourseLiveApp}]
