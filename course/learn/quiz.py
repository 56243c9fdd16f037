"""Quizzes: single and multiple choice, numbers with a tolerance, short text answers.

A quiz is defined inline or in a YAML file beside the notebook (default
``quizzes.yml``, looked for in the kernel's working directory, or ``file=``), one
mapping per question id, in the question dialect live polls use too
(``course.questions``)::

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

from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from course.errors import Problem
from course.learn.display import Line, Panel
from course.learn.errors import LearnError, QuizError
from course.learn.events import KIT, record
from course.questions import (
    KINDS,
    QUIZ,
    Question,
    QuestionError,
    build_question,
    load_questions,
    normalise_text,
    number_matches,
)

DEFAULT_FILE = "quizzes.yml"


class Feedback(Panel):
    """What an answer gets: right or not, and why, per chosen option."""

    def __init__(self, quiz_id: str, correct: bool | None, lines: list[Line]) -> None:
        self.quiz_id, self.correct = quiz_id, correct
        verdict = {True: "correct", False: "not quite", None: "not answered"}[correct]
        super().__init__(f"{quiz_id}: {verdict}", lines)


_CACHE: dict[Path, tuple[tuple[int, int, int], dict[str, Question] | QuizError]] = {}


def cached_quizzes(path: Path | str) -> dict[str, Question]:
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
            loaded: dict[str, Question] | QuizError = load_quizzes(path)
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


def load_quizzes(path: Path | str) -> dict[str, Question]:
    """Every question in a quiz file, validated; problems name the file, line and question."""
    try:
        return load_questions(path, QUIZ)
    except QuestionError as error:
        raise QuizError(error.problems) from None


class Quiz:
    """One question the learner answers in a widget, or with ``answer()`` in text mode."""

    def __init__(self, spec: Question) -> None:
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


def judge(spec: Question, value: Any) -> Feedback:
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


def _judge_choices(spec: Question, chosen: Iterable[Any]) -> Feedback:
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


def _judge_number(spec: Question, value: Any) -> Feedback:
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else value
        number = float(number)
    except (TypeError, ValueError):
        return Feedback(spec.id, None, [Line("muted", f"{value!r} is not a number")])
    (target,) = spec.correct
    ok = number_matches(number, target, spec.tolerance)
    return _verdict(spec, ok, [Line("ok" if ok else "fail", _said(value, ok))])


def _said(value: Any, ok: bool) -> str:
    shown = str(value).strip()
    return f"{shown} is right." if ok else f"{shown} is not the answer we expect."


def _verdict(spec: Question, ok: bool, lines: list[Line]) -> Feedback:
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

    try:
        return Quiz(build_question(id, fields, where, QUIZ))
    except QuestionError as error:
        raise QuizError(error.problems) from None
