"""Live sessions: the course server (later: polls, questions, group notebooks)."""

from course.live.server import serve, server_argv

__all__ = ["serve", "server_argv"]
