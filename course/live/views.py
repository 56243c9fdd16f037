"""The JSON shapes of the API, built from store rows: one function per thing shown.

Two audiences see a poll differently: the instructor sees correct answers and live
results; a participant sees them only once the poll is revealed. Text is returned as
stored; every JSON reply escapes ``<``, ``>`` and ``&`` (see ``dumps``), and pages
must insert it as text, never as HTML.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from course.live import words
from course.live.store import Group, LiveSession, Participant, Poll, Question
from course.questions import number_matches


def dumps(data: Any) -> str:
    """JSON safe to embed anywhere: ``<``, ``>``, ``&`` and line separators as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def iso(moment: datetime) -> str:
    """UTC with an explicit offset (SQLite hands datetimes back without their zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds")


def session_json(row: LiveSession, *, instructor: bool) -> dict[str, Any]:
    data = {
        "id": row.id,
        "module": row.module_id,
        "title": row.title,
        "state": row.state,
        "current_poll_id": row.current_poll_id,
    }
    if instructor:
        data |= {"join_code": row.join_code, "created_at": iso(row.created_at)}
    return data


def participant_json(row: Participant) -> dict[str, Any]:
    return {"id": row.id, "name": None if row.anonymous else row.name, "anonymous": row.anonymous}


def poll_json(row: Poll, results: dict[str, Any] | None, *, instructor: bool) -> dict[str, Any]:
    data = {
        "id": row.id,
        "key": row.key,
        "position": row.position,
        "kind": row.kind,
        "question": row.question,
        "options": list(row.options),
        "state": row.state,
        "revealed": row.revealed,
    }
    if instructor or row.revealed:
        data["correct"] = row.correct
        data["results"] = results if instructor else words.public(results)
    return data


def question_json(row: Question, *, instructor: bool) -> dict[str, Any]:
    data = {
        "id": row.id,
        "text": row.text,
        "votes": row.votes,
        "answered": row.answered,
        "created_at": iso(row.created_at),
    }
    if instructor:
        data["hidden"] = row.hidden
    return data


def group_json(row: Group, members: Sequence[Participant], link: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "members": [participant_json(m) for m in members],
        "notebook": row.notebook_path,
        "url": link,
    }


def results(poll: Poll, values: Sequence[Any]) -> dict[str, Any]:
    """The tally a chart draws: counts per option, a histogram, or word frequencies."""
    return tally(poll, [(value, 1) for value in values])


def tally(poll: Poll, counted: Sequence[tuple[Any, int]]) -> dict[str, Any]:
    """``results`` from (value, how many answers gave it) pairs, as a GROUP BY returns them."""
    data: dict[str, Any] = {"answers": sum(n for _, n in counted)}
    if poll.kind in ("single", "multiple"):
        counts = [0] * len(poll.options)
        for value, n in counted:
            for index in value if isinstance(value, list) else [value]:
                counts[index] += n
        data["counts"] = counts
    elif poll.kind == "numeric":
        data |= _numeric(poll, [float(v) for v, n in counted for _ in range(n)])
    else:
        data |= words.moderated(poll, counted)
    return data


def _numeric(poll: Poll, numbers: list[float]) -> dict[str, Any]:
    if not numbers:
        return {"median": None, "mean": None, "histogram": [], "within_tolerance": 0}
    low, high = min(numbers), max(numbers)
    bins = 10 if high > low else 1
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for number in numbers:
        counts[min(int((number - low) / width), bins - 1)] += 1
    correct = poll.correct or {}
    within = 0
    if "value" in correct:
        target, tolerance = correct["value"], correct.get("tolerance", 0)
        within = sum(number_matches(n, target, tolerance) for n in numbers)
    return {
        "median": statistics.median(numbers),
        "mean": statistics.fmean(numbers),
        "histogram": [
            {"from": low + i * width, "to": low + (i + 1) * width, "count": c}
            for i, c in enumerate(counts)
        ],
        "within_tolerance": within,
    }
