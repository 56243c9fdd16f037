"""Steps that many live-session tests take."""

from __future__ import annotations

from typing import Any

import httpx


def open_poll(instructor: httpx.Client, session: dict[str, Any], key: str) -> dict[str, Any]:
    """Open the poll with this key (from the polls file); returns the poll."""
    state = instructor.get(f"/course/api/live/sessions/{session['id']}").json()
    poll = next(p for p in state["polls"] if p["key"] == key)
    reply = instructor.post(f"/course/api/live/sessions/{session['id']}/polls/{poll['id']}/open")
    assert reply.status_code == 200, reply.text
    return reply.json()
