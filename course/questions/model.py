"""One question, validated: the same rules for a lesson's quiz and a live session's poll.

A question has an id, a kind (single, multiple, numeric, text), its text, options for
the choice kinds (each with optional feedback), and what counts as right: the correct
option(s), a number with a tolerance, or accepted short answers. A quiz must have a
right answer (one that could never be answered right is an author's error); a poll
may have none (an opinion, the muddiest point). What each use does not show is
refused rather than silently dropped (``Use.unused``), so an author learns it at
``course check`` instead of in front of the class.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from course.errors import CourseError, Problem

KINDS = {
    "single": "choose one",
    "multiple": "choose all that apply",
    "numeric": "a number",
    "text": "a short answer",
}
CHOICE = ("single", "multiple")
FIELDS = ("question", "kind", "options", "correct", "tolerance", "explanation", "module")
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,59}")
ID_RULE = "a letter or digit, then letters, digits, -, _ or ., 60 at most"
MAX_TEXT = 500  # characters of a question
MAX_OPTION = 200  # characters of one option
MAX_OPTIONS = 12

Where = Callable[[str, str], Problem]  # (field, message) → a located problem


class QuestionError(CourseError):
    """Questions are badly defined; carries every problem, each with file, line and question."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Use:
    """What one kind of question file makes of the dialect, and the word its messages use."""

    name: str
    needs_answer: bool
    unused: Mapping[str, str] = field(default_factory=dict)  # field → why this use refuses it
    option_feedback: bool = True  # whether it shows the feedback written per option
    text_answers: bool = True  # whether a text question takes accepted answers


QUIZ = Use("quiz", needs_answer=True)
POLL = Use(
    "poll",
    needs_answer=False,
    unused={
        "explanation": "a poll shows no explanation; say it when you reveal the answer",
        "module": "a poll belongs to the module whose live session loads its file",
    },
    option_feedback=False,
    text_answers=False,
)


@dataclass(frozen=True)
class Question:
    """A validated question: whatever it accepts as right can actually be answered."""

    id: str
    question: str
    kind: str
    correct: tuple[Any, ...]  # option texts; one float (numeric); accepted answers (text)
    options: tuple[str, ...] = ()
    feedback: Mapping[str, str] = field(default_factory=dict)
    tolerance: float = 0.0
    explanation: str | None = None
    module: str | None = None


def build_question(question_id: str, fields: Mapping[str, Any], where: Where, use: Use) -> Question:
    """Validate one question's fields; ``where(field, message)`` locates each problem."""
    problems: list[Problem] = []

    def fail(name: str, message: str) -> None:
        problems.append(where(name, message))

    if not ID.fullmatch(question_id):
        fail("id", f"{question_id!r} is not a valid id ({ID_RULE})")
    _known_fields(fields, use, fail)
    question, kind = fields.get("question"), fields.get("kind")
    if not isinstance(question, str) or not question.strip():
        fail("question", "needs the question's text")
    elif len(question) > MAX_TEXT:
        fail("question", f"has {len(question)} characters; keep it to {MAX_TEXT}")
    if kind not in KINDS:
        fail("kind", f"is {kind!r}; write one of {', '.join(KINDS)}")
    options, feedback = _options(fields.get("options"), kind, use, fail)
    correct = _correct(fields, kind, options, use, fail)
    tolerance = _tolerance(fields, kind, correct, fail)
    if problems:
        raise QuestionError(problems)
    return Question(
        id=question_id,
        question=str(question),
        kind=str(kind),
        correct=correct,
        options=options,
        feedback=feedback,
        tolerance=tolerance,
        explanation=_text_or_none(fields.get("explanation")),
        module=_text_or_none(fields.get("module")),
    )


def _known_fields(fields: Mapping[str, Any], use: Use, fail: Callable[[str, str], None]) -> None:
    for name in fields:
        if name in use.unused:
            fail(name, f"{use.unused[name]}; remove {name}")
        elif name not in FIELDS:
            valid = [f for f in FIELDS if f not in use.unused]
            close = get_close_matches(str(name), valid, n=1)
            also = f"did you mean {close[0]!r}? " if close else ""
            fail(name, f"unknown key {name!r}; {also}valid keys: {', '.join(valid)}")


def _options(
    raw: Any, kind: Any, use: Use, fail: Callable[[str, str], None]
) -> tuple[tuple[str, ...], dict[str, str]]:
    if kind not in CHOICE:
        if raw is not None:
            fail("options", f"a {kind} {use.name} has no options; remove them or use kind: single")
        return (), {}
    if isinstance(raw, Mapping):
        feedback = {str(k): str(v) for k, v in raw.items() if v is not None}
        options = tuple(str(k) for k in raw)
        if feedback and not use.option_feedback:
            message = f"a {use.name} shows no feedback per option; write the options as a list"
            fail("options", message)
    elif isinstance(raw, list):
        options, feedback = tuple(str(o) for o in raw), {}
    else:
        needs = "needs options: a list, or a mapping of option: feedback"
        fail("options", f"a choice {use.name} {needs}")
        return (), {}
    if len(options) < 2:
        fail("options", f"a choice {use.name} needs at least two options")
    if len(options) > MAX_OPTIONS:
        fail("options", f"has {len(options)} options; at most {MAX_OPTIONS} fit on a screen")
    if len(set(options)) != len(options):
        fail("options", "has the same option twice")
    long = [o for o in options if len(o) > MAX_OPTION]
    if long:
        fail("options", f"{long[0][:40]!r}… is longer than {MAX_OPTION} characters")
    return options, feedback


def _correct(
    fields: Mapping[str, Any],
    kind: Any,
    options: tuple[str, ...],
    use: Use,
    fail: Callable[[str, str], None],
) -> tuple[Any, ...]:
    raw = fields.get("correct")
    if raw is None or raw == [] or raw == "":
        if use.needs_answer and kind in KINDS:
            fail("correct", "has no correct answer; add correct: with the right answer")
        return ()
    if kind in CHOICE:
        values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]
        missing = [v for v in values if v not in options]
        if missing and options:
            valid = ", ".join(repr(o) for o in options)
            fail("correct", f"{', '.join(map(repr, missing))} is not among the options {valid}")
        if kind == "single" and len(values) != 1:
            one = "has one correct option (or use kind: multiple)"
            fail("correct", f"a single-choice {use.name} {one}")
        return tuple(values)
    if kind == "numeric":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            hint = (
                "; write the tolerance as its own key: tolerance:"
                if isinstance(raw, Mapping)
                else ""
            )
            fail("correct", f"is {raw!r}; a numeric {use.name} needs a number{hint}")
            return ()
        return (float(raw),)
    if kind != "text":
        return ()
    if not use.text_answers:
        message = f"a text {use.name} collects answers and has no correct one; remove correct"
        fail("correct", message)
        return ()
    accepted: list[Any] = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in accepted):
        fail("correct", f"a text {use.name} needs an accepted answer, or a list of them")
    return tuple(str(v) for v in accepted)


def _tolerance(
    fields: Mapping[str, Any], kind: Any, correct: tuple[Any, ...], fail: Callable[[str, str], None]
) -> float:
    if "tolerance" not in fields:
        return 0.0
    tolerance = fields["tolerance"]
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        fail("tolerance", f"is {tolerance!r}; write a number of 0 or more, like 0.01")
        return 0.0
    if kind != "numeric":
        fail("tolerance", "only numeric questions have a tolerance")
    elif not correct:
        fail("tolerance", "is a tolerance around the correct value; add correct:")
    return float(tolerance)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def normalise_text(answer: Any) -> str:
    """Short answers compare without case or spaces: ' Data Frame' matches 'dataframe'."""
    return re.sub(r"\s+", "", str(answer)).casefold()


def number_matches(value: float, target: float, tolerance: float) -> bool:
    """A number is right within the tolerance; with none, when equal up to float rounding."""
    if tolerance:
        return abs(value - target) <= tolerance
    return math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-12)
