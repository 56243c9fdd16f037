"""What every part of the live model needs of the store's rows: one by key, and the time.

A missing row is a NotFound that names the kind of thing and its id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from course.live.errors import NotFound
from course.live.store import LiveSession, Participant

Row = TypeVar("Row")
_NAMES: dict[Any, str] = {LiveSession: "session", Participant: "participant"}


def get(db: Session, model: type[Row], key: int) -> Row:
    """The row of ``model`` with this primary key, or NotFound naming it."""
    row = db.get(model, key)
    if row is None:
        thing = _NAMES.get(model, "item")
        raise NotFound(f"{thing} {key}: no such {thing}")
    return row


def now() -> datetime:
    return datetime.now(UTC)
