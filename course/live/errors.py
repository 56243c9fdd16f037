"""Errors of live sessions, and the HTTP status of every kit error raised under a handler.

The service raises them (so tests see them without HTTP); the handlers turn any kit
error into a JSON ``{"message": ..., "reason": ...}`` reply with the status that
``http_status`` gives it. The message says what was wrong and, where it can, what
would be valid.
"""

from __future__ import annotations

from course.errors import CourseError


class LiveError(CourseError):
    """Base: a request the live-session service refuses."""

    status = 400
    reason = "bad request"


class Invalid(LiveError):
    status = 400
    reason = "invalid input"


class Forbidden(LiveError):
    status = 403
    reason = "forbidden"


class NotFound(LiveError):
    status = 404
    reason = "not found"


class Conflict(LiveError):
    """The request is well formed but the state does not allow it (a closed poll)."""

    status = 409
    reason = "conflict"


class TooLarge(LiveError):
    status = 413
    reason = "request too large"


class UnsupportedMediaType(LiveError):
    status = 415
    reason = "unsupported media type"


class RateLimited(LiveError):
    status = 429
    reason = "too many requests"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def http_status(error: CourseError) -> tuple[int, str]:
    """The status and reason a handler answers ``error`` with.

    A LiveError names its own. Any other kit error (a group notebook's template gone,
    a polls file broken since the server started) comes from the course's files, not
    from the request: the request conflicts with the course's current state (409), and
    the message says what to fix.
    """
    if isinstance(error, LiveError):
        return error.status, error.reason
    return Conflict.status, Conflict.reason
