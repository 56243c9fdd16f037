"""Errors of live sessions: each carries the HTTP status a handler answers with.

The service raises them (so tests see them without HTTP); the handlers turn them
into JSON ``{"message": ..., "reason": ...}`` replies. The message says what was
wrong and, where it can, what would be valid.
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


class RateLimited(LiveError):
    status = 429
    reason = "too many requests"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
