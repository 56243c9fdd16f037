"""Learners' progress events: xAPI statements from their kernels, stored once each.

A statement's id is its key, so a batch a kernel resends after a lost reply adds
nothing. The columns readiness queries (actor, kind, module, score) are pulled out of
the statement; the whole statement is kept as sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from course.live import rows
from course.live.errors import Invalid
from course.live.schemas import Statement
from course.live.store import Store
from course.record import ProgressEvent

KIT = "urn:blended-course-kit:"


def record_events(store: Store, statements: Sequence[Statement]) -> dict[str, int]:
    """Store learners' xAPI statements once each (a resent batch adds nothing)."""
    events = [_event_row(s) for s in statements]
    with store.session() as db:
        new = store.insert_new(db, ProgressEvent, events)
    return {"received": len(events), "stored": new, "duplicates": len(events) - new}


def _event_row(statement: Statement) -> dict[str, Any]:
    body = statement.model_dump(mode="json", exclude_none=True)
    actor = statement.actor.account.name if statement.actor.account else statement.actor.name
    extensions = statement.context.get("extensions") or {}
    if not isinstance(extensions, dict):
        raise Invalid("context.extensions: must be an object")
    result = statement.result
    score = result.score.scaled if result and result.score else None
    return {
        "id": statement.id.lower(),
        "actor": actor or "",
        "verb": (statement.verb.display.en or statement.verb.id)[:60],
        "kind": _kind(statement.object.definition),
        "object_name": statement.object.definition.name.en or statement.object.id[-300:],
        "course": _short(extensions.get(KIT + "course")),
        "module": _short(extensions.get(KIT + "module")),
        "success": result.success if result else None,
        "scaled": score,
        "timestamp": statement.timestamp,
        "body": body,
        "received_at": rows.now(),
    }


def _kind(definition: Any) -> str:
    kind = str(getattr(definition, "type", "") or "")
    return kind.removeprefix(KIT)[:60]


def _short(value: Any) -> str | None:
    return value[:60] if isinstance(value, str) else None
