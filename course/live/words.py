"""A text poll's words, and the instructor's moderation of them before the projector.

**Held for approval, not hidden afterwards.** A word a participant types reaches the
projector only once the instructor approved it. Hiding after the fact cannot keep
the promise that matters in a room: the presenter pushes within 50 ms, so an insult
or a classmate's name would be on the wall, and photographed, before any instructor
could react. Approval costs little where it matters: a word cloud is made of few
distinct words (a room of 200 repeats the same 20-30), a decision is taken once per
word and holds for every later answer that contains it, and the control page has an
"approve all" for the pending list.

A word is what the cloud counts: lower case, stop words and one-letter words left
out (``split``). Each is ``pending`` until the instructor marks it ``approved`` or
``hidden`` (``decide``); the instructor's views of a poll's results carry the three
lists, ``words`` (approved: what the presenter draws), ``pending`` and ``hidden``,
and a participant, once the poll is revealed, gets ``words`` alone (``public``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from course.live.errors import Invalid
from course.live.store import Poll

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "which",
        "with",
        "you",
        "your",
        "not",
    ]
)
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
TOP = 50  # words per list: the cloud shows fewer; more is noise on a phone
STATES = ("approved", "hidden", "pending")


def split(text: str) -> list[str]:
    """The words of one answer, as the cloud counts them."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def moderated(poll: Poll, counted: Sequence[tuple[Any, int]]) -> dict[str, Any]:
    """Word counts from (answer, how many gave it), in the three lists, most frequent first."""
    counts: Counter[str] = Counter()
    for value, n in counted:
        for word in split(value):
            counts[word] += n
    decisions = poll.word_moderation or {}
    lists: dict[str, list[dict[str, Any]]] = {"words": [], "pending": [], "hidden": []}
    for word, count in counts.most_common():
        state = decisions.get(word, "pending")
        shown = lists["words" if state == "approved" else state]
        if len(shown) < TOP:
            shown.append({"word": word, "count": count})
    return lists


def public(results: dict[str, Any] | None) -> dict[str, Any] | None:
    """Results as a participant may see them: no pending or hidden word."""
    if results is None:
        return None
    return {k: v for k, v in results.items() if k not in ("pending", "hidden")}


def decide(poll: Poll, words: Iterable[str], state: str) -> None:
    """Mark ``words`` of a text poll approved, hidden, or pending again."""
    if poll.kind != "text":
        raise Invalid(f"poll {poll.id} is a {poll.kind} poll: only a text poll has words")
    if state not in STATES:
        raise Invalid(f"state: {state!r} is not one of {', '.join(STATES)}")
    decisions = dict(poll.word_moderation or {})
    for word in words:
        key = _one_word(word)
        if state == "pending":
            decisions.pop(key, None)
        else:
            decisions[key] = state
    poll.word_moderation = decisions  # a new dict: SQLAlchemy sees the change


def _one_word(word: str) -> str:
    found = split(word)
    if len(found) != 1 or found[0] != word.strip().lower():
        raise Invalid(f"words: {word[:40]!r} is not one word as the word cloud counts it")
    return found[0]
