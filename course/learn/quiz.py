"""Quizzes: single and multiple choice, numbers with a tolerance, short text answers.

A quiz is defined inline or in a YAML file beside the notebook (default
``quizzes.yml``, looked for in the kernel's working directory, or ``file=``), one
mapping per question id::

    m1-len:
      question: What does len([3, 1, 2]) give?
      kind: single                  # single | multiple | numeric | text
      options:                      # a list, or option: feedback
        "3": Right, len counts the items.
        "2": That is the last index, not the count.
      correct: "3"                  # multiple: a list; numeric: a number; text: accepted answers
      explanation: len works on any collection.   # shown after a right answer

A quiz that could never be answered right is an author's error, reported with the
file, line and question id before any learner sees it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from course.errors import Problem, yaml_syntax_problem
from course.learn.display import Line, Panel
from course.learn.errors import LearnError, QuizError
from course.learn.events import KIT, record

KINDS = {
    "single": "choose one",
    "multiple": "choose all that apply",
    "numeric": "a number",
    "text": "a short answer",
}
FIELDS = ("question", "kind", "options", "correct", "tolerance", "explanation", "module")
DEFAULT_FILE = "quizzes.yml"


@dataclass(frozen=True)
class QuizSpec:
    """A validated question: whatever it accepts as right can actually be answered."""

    id: str
    question: str
    kind: str
    correct: tuple[Any, ...]
    options: tuple[str, ...] = ()
    feedback: Mapping[str, str] = field(default_factory=dict)
    tolerance: float = 0.0
    explanation: str | None = None
    module: str | None = None


class Feedback(Panel):
    """What an answer gets: right or not, and why, per chosen option."""

    def __init__(self, quiz_id: str, correct: bool | None, lines: list[Line]) -> None:
        self.quiz_id, self.correct = quiz_id, correct
        verdict = {True: "correct", False: "not quite", None: "not answered"}[correct]
        super().__init__(f"{quiz_id}: {verdict}", lines)


def normalise_text(answer: str) -> str:
    """Short answers compare without case or spaces: ' Data Frame' matches 'dataframe'."""
    return re.sub(r"\s+", "", str(answer)).casefold()


def build_spec(quiz_id: str, fields: Mapping[str, Any], where: Any) -> QuizSpec:
    """Validate one question's fields; ``where(field)`` locates a problem (file and line)."""
    problems: list[Problem] = []

    def fail(name: str, message: str) -> None:
        problems.append(where(name, message))

    for name in fields:
        if name not in FIELDS:
            close = get_close_matches(str(name), FIELDS, n=1)
            also = f"did you mean {close[0]!r}? " if close else ""
            fail(name, f"unknown key {name!r}; {also}valid keys: {', '.join(FIELDS)}")
    question, kind = fields.get("question"), fields.get("kind")
    if not isinstance(question, str) or not question.strip():
        fail("question", "needs the question's text")
    if kind not in KINDS:
        fail("kind", f"is {kind!r}; write one of {', '.join(KINDS)}")
    options, feedback = _options(fields.get("options"), kind, fail)
    correct = _correct(fields.get("correct", None), "correct" in fields, kind, options, fail)
    tolerance = fields.get("tolerance", 0.0)
    if tolerance is None or isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
        fail("tolerance", f"is {tolerance!r}; write a number like 0.01")
    elif kind != "numeric" and "tolerance" in fields:
        fail("tolerance", "only numeric quizzes have a tolerance")
    if problems:
        raise QuizError(problems)
    return QuizSpec(
        id=quiz_id,
        question=str(question),
        kind=str(kind),
        correct=correct,
        options=options,
        feedback=feedback,
        tolerance=float(tolerance),
        explanation=_text_or_none(fields.get("explanation")),
        module=_text_or_none(fields.get("module")),
    )


def _options(raw: Any, kind: Any, fail: Any) -> tuple[tuple[str, ...], dict[str, str]]:
    if kind not in ("single", "multiple"):
        if raw is not None:
            fail("options", f"a {kind} quiz has no options; remove them or use kind: single")
        return (), {}
    if isinstance(raw, Mapping):
        feedback = {str(k): str(v) for k, v in raw.items() if v is not None}
        options = tuple(str(k) for k in raw)
    elif isinstance(raw, list) and not isinstance(raw, str):
        options, feedback = tuple(str(o) for o in raw), {}
    else:
        fail("options", "a choice quiz needs options: a list, or a mapping of option: feedback")
        return (), {}
    if len(options) < 2:
        fail("options", "a choice quiz needs at least two options")
    if len(set(options)) != len(options):
        fail("options", "has the same option twice")
    return options, feedback


def _correct(
    raw: Any, given: bool, kind: Any, options: tuple[str, ...], fail: Any
) -> tuple[Any, ...]:
    if not given or raw is None or raw == [] or raw == "":
        fail("correct", "has no correct answer; add correct: with the right answer")
        return ()
    if kind in ("single", "multiple"):
        values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]
        missing = [v for v in values if v not in options]
        if missing and options:
            valid = ", ".join(repr(o) for o in options)
            fail("correct", f"{', '.join(map(repr, missing))} is not among the options {valid}")
        if kind == "single" and len(values) != 1:
            fail("correct", "a single-choice quiz has one correct option (or use kind: multiple)")
        return tuple(values)
    if kind == "numeric":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            fail("correct", f"is {raw!r}; a numeric quiz needs a number")
            return ()
        return (float(raw),)
    values = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(v, str | int | float) for v in values):
        fail("correct", "a text quiz needs an accepted answer, or a list of them")
    return tuple(str(v) for v in values)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


_CACHE: dict[Path, tuple[tuple[int, int, int], dict[str, QuizSpec] | QuizError]] = {}


def cached_quizzes(path: Path | str) -> dict[str, QuizSpec]:
    """``load_quizzes``, read again only when the file changed (its mtime, size or inode).

    Every ``quiz(id)`` call of a lesson reads the same file: this keeps it to one parse,
    and an edit to the file shows at the next call without restarting the kernel.
    """
    path = Path(path).absolute()
    try:
        stat = path.stat()
    except OSError:
        _CACHE.pop(path, None)
        return load_quizzes(path)  # says why it cannot be read
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _CACHE.get(path)
    if cached is None or cached[0] != key:
        try:
            loaded: dict[str, QuizSpec] | QuizError = load_quizzes(path)
        except QuizError as error:
            loaded = error
        cached = _CACHE[path] = (key, loaded)
    if isinstance(cached[1], QuizError):
        raise cached[1]
    return cached[1]


def _not_found(path: Path, given: bool) -> QuizError:
    """Where quiz() looked for its file, and the two ways to point it at the right one."""
    where = Path.cwd()
    if given:
        how = "fix the path in file=; a relative path starts at that folder"
    else:
        how = (
            f"put {DEFAULT_FILE} there (beside the notebook), or pass its path: "
            f'quiz("<id>", file="../{DEFAULT_FILE}")'
        )
    message = (
        f"not found: looked for {path.absolute()} (the kernel's working directory is "
        f"{where}); {how}"
    )
    return QuizError([Problem(str(path), None, "", message)])


def load_quizzes(path: Path | str) -> dict[str, QuizSpec]:
    """Every question in a quiz file, validated; problems name the file, line and question."""
    path = Path(path)
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = "does not exist" if isinstance(error, FileNotFoundError) else str(error)
        raise QuizError([Problem(shown, None, "", f"{reason} (looked in {Path.cwd()})")]) from None
    try:
        raw = YAML(typ="rt").load(text)
    except YAMLError as error:
        raise QuizError([yaml_syntax_problem(shown, error)]) from None
    if not isinstance(raw, CommentedMap):
        raise QuizError([Problem(shown, 1, "", "expected question ids, each with its fields")])
    specs, problems = {}, []
    for quiz_id, fields in raw.items():
        id_line = raw.lc.key(quiz_id)[0] + 1
        if not isinstance(fields, CommentedMap):
            problems.append(Problem(shown, id_line, str(quiz_id), "expected the question's fields"))
            continue

        def where(name: str, message: str, q=str(quiz_id), f=fields, at=id_line) -> Problem:
            line = f.lc.key(name)[0] + 1 if name in f else at
            return Problem(shown, line, f"{q}.{name}", message)

        try:
            specs[str(quiz_id)] = build_spec(str(quiz_id), fields, where)
        except QuizError as error:
            problems.extend(error.problems)
    if problems:
        raise QuizError(problems)
    return specs


class Quiz:
    """One question the learner answers in a widget, or with ``answer()`` in text mode."""

    def __init__(self, spec: QuizSpec) -> None:
        self.spec = spec
        self.id = spec.id

    def answer(self, value: Any) -> Feedback:
        """Judge an answer, record it, and say why it is right or not."""
        judged = judge(self.spec, value)
        if judged.correct is not None:
            response = "[,]".join(value) if self.spec.kind == "multiple" else str(value)
            result = {
                "success": judged.correct,
                "response": response,
                "extensions": {KIT + "kind": self.spec.kind},
            }
            try:
                record("answered", "quiz", self.id, result, module=self.spec.module)
            except LearnError as error:
                judged.lines.append(Line("muted", f"(progress not saved: {error})"))
        return judged

    def text(self) -> str:
        """The question as plain text, for nbconvert, nbval and terminals."""
        spec = self.spec
        rows = [f"Quiz {spec.id} ({KINDS[spec.kind]}): {spec.question}"]
        box = "( )" if spec.kind == "single" else "[ ]"
        rows += [f"  {box} {option}" for option in spec.options]
        rows.append("Answer in the widget, or with .answer(...) on this quiz.")
        return "\n".join(rows)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        from course.learn.widgets import quiz_widget

        return quiz_widget(self)

    def __repr__(self) -> str:
        return self.text()


def judge(spec: QuizSpec, value: Any) -> Feedback:
    """Compare an answer with the spec; ``correct`` is None when the answer is not valid."""
    if spec.kind == "single":
        return _judge_choices(spec, [value])
    if spec.kind == "multiple":
        chosen = [value] if isinstance(value, str) else list(value or [])
        return _judge_choices(spec, chosen)
    if spec.kind == "numeric":
        return _judge_number(spec, value)
    ok = normalise_text(value) in {normalise_text(v) for v in spec.correct}
    return _verdict(spec, ok, [Line("ok" if ok else "fail", _said(value, ok))])


def _judge_choices(spec: QuizSpec, chosen: Iterable[Any]) -> Feedback:
    chosen = [str(c).strip() for c in chosen]
    unknown = [c for c in chosen if c not in spec.options]
    if unknown or not chosen:
        what = f"{', '.join(map(repr, unknown))} is not an option" if unknown else "nothing chosen"
        valid = ", ".join(repr(o) for o in spec.options)
        return Feedback(spec.id, None, [Line("muted", f"{what}; choose from {valid}")])
    lines = []
    for option in chosen:
        right = option in spec.correct
        note = spec.feedback.get(option)
        lines.append(Line("ok" if right else "fail", f"{option}: {note}" if note else option))
    ok = set(chosen) == set(spec.correct)
    if spec.kind == "multiple" and not ok:
        missing = len(set(spec.correct) - set(chosen))
        if missing:
            lines.append(Line("info", f"{missing} more correct option(s) to find."))
    return _verdict(spec, ok, lines)


def _judge_number(spec: QuizSpec, value: Any) -> Feedback:
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else value
        number = float(number)
    except (TypeError, ValueError):
        return Feedback(spec.id, None, [Line("muted", f"{value!r} is not a number")])
    (target,) = spec.correct
    if spec.tolerance:
        ok = abs(number - target) <= spec.tolerance
    else:
        ok = math.isclose(number, target, rel_tol=1e-9, abs_tol=1e-12)
    return _verdict(spec, ok, [Line("ok" if ok else "fail", _said(value, ok))])


def _said(value: Any, ok: bool) -> str:
    shown = str(value).strip()
    return f"{shown} is right." if ok else f"{shown} is not the answer we expect."


def _verdict(spec: QuizSpec, ok: bool, lines: list[Line]) -> Feedback:
    if ok and spec.explanation:
        lines.append(Line("info", spec.explanation))
    elif not ok:
        lines.append(Line("muted", "Try again: you can answer as often as you like."))
    return Feedback(spec.id, ok, lines)


def quiz(
    id: str,
    *,
    question: str | None = None,
    kind: str | None = None,
    options: list[Any] | Mapping[str, str] | None = None,
    correct: Any = None,
    tolerance: float | None = None,
    explanation: str | None = None,
    module: str | None = None,
    file: str | Path | None = None,
) -> Quiz:
    """A quiz defined inline (``question=`` and the rest) or, without a question, read from
    ``file`` by its id: default ``quizzes.yml`` in the kernel's working directory (the
    notebook's folder under Jupyter). The file is parsed once and again only after it
    changes; when it is missing, the error names the path looked for and how to fix it."""
    if question is None:
        path = Path(file or DEFAULT_FILE)
        if not path.is_file():
            raise _not_found(path, file is not None)
        specs = cached_quizzes(path)
        if id not in specs:
            close = get_close_matches(id, specs, n=1)
            also = f"did you mean {close[0]!r}? " if close else ""
            known = ", ".join(specs) or "none"
            message = f"no such question; {also}it has: {known}"
            raise QuizError([Problem(str(path), None, id, message)])
        return Quiz(specs[id])
    given = {
        "question": question,
        "kind": kind,
        "options": options,
        "correct": correct,
        "tolerance": tolerance,
        "explanation": explanation,
        "module": module,
    }
    fields = {k: v for k, v in given.items() if v is not None or k == "correct"}
    if correct is None:
        del fields["correct"]

    def where(name: str, message: str) -> Problem:
        return Problem(f"quiz {id!r}", None, name, message)

    return Quiz(build_spec(id, fields, where))
