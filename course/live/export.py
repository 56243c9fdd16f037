"""A live session's answers as CSV, one row per answer, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from course.live import rows, views
from course.live.store import Answer, LiveSession, Participant, Poll, Store

COLUMNS = ["poll", "kind", "question", "participant", "name", "answer", "time"]


def session_csv(store: Store, session_id: int) -> str:
    """Every answer of the session in poll order; text that a spreadsheet would run as a
    formula is prefixed with ``'``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    with store.session() as db:
        rows.get(db, LiveSession, session_id)
        answered = db.execute(
            select(Poll, Answer, Participant)
            .join(Answer, Answer.poll_id == Poll.id)
            .join(Participant, Participant.id == Answer.participant_id)
            .where(Poll.session_id == session_id)
            .order_by(Poll.position, Answer.id)
        ).all()
        for poll, answer, person in answered:
            writer.writerow(
                [
                    _cell(poll.key),
                    poll.kind,
                    _cell(poll.question),
                    person.id,
                    _cell("" if person.anonymous else person.name or ""),
                    _cell(_answer_text(poll, answer.value)),
                    views.iso(answer.answered_at),
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @ at the start of a cell)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _answer_text(poll: Poll, value: Any) -> str:
    if poll.kind == "single":
        return str(poll.options[value])
    if poll.kind == "multiple":
        return "; ".join(poll.options[i] for i in value)
    return str(value)
