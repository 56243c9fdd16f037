"""Question files: one YAML dialect for a lesson's ``quizzes.yml`` and a session's polls file.

A file is a mapping of question ids, in the order they are asked, each with its
fields::

    m1-types:
      question: Which type does 3 / 2 produce?
      kind: single                  # single | multiple | numeric | text
      options: [int, float, str]    # or a mapping option: feedback (quizzes)
      correct: float                # multiple: a list; numeric: a number; text: accepted answers
    m1-slice:
      question: What is sum([628, 666, 746][1:3])?
      kind: numeric
      correct: 1412
      tolerance: 0                  # numeric only: how far from correct still counts
    m1-muddiest:                    # a poll needs no correct answer; a quiz does
      question: What was the least clear part of module 1?
      kind: text

YAML is read with ruamel's round-trip loader, which remembers the line of every key,
so each problem reads ``notebooks/polls/m1.yml:12: m1-types.correct: …`` (as the
plan loader does for course.yml).
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from course.errors import Problem, yaml_syntax_problem
from course.questions.model import Question, QuestionError, Use, build_question


def load_questions(path: Path | str, use: Use, *, label: str | None = None) -> dict[str, Question]:
    """Every question of a file, validated; problems name ``label`` (default: the path),
    the line and the question, and all of them are reported at once."""
    path = Path(path)
    shown = label or str(path)
    raw = _read(path, shown)
    questions: dict[str, Question] = {}
    problems: list[Problem] = []
    for question_id, fields in raw.items():
        id_line = raw.lc.key(question_id)[0] + 1
        if not isinstance(fields, CommentedMap):
            problems.append(_not_fields(shown, id_line, str(question_id), fields))
            continue

        def where(
            name: str,
            message: str,
            q: str = str(question_id),
            f: CommentedMap = fields,
            at: int = id_line,
        ) -> Problem:
            line = f.lc.key(name)[0] + 1 if name in f else at
            return Problem(shown, line, f"{q}.{name}" if name != "id" else q, message)

        try:
            questions[str(question_id)] = build_question(str(question_id), fields, where, use)
        except QuestionError as error:
            problems.extend(error.problems)
    if problems:
        raise QuestionError(problems)
    return questions


def _read(path: Path, shown: str) -> CommentedMap:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "does not exist" if isinstance(error, FileNotFoundError) else str(error)
        raise QuestionError([Problem(shown, None, "", f"cannot be read: {reason}")]) from None
    try:
        raw = YAML(typ="rt").load(text)
    except YAMLError as error:
        raise QuestionError([yaml_syntax_problem(shown, error)]) from None
    if not isinstance(raw, CommentedMap):
        found = "an empty file" if raw is None else "a list" if isinstance(raw, list) else repr(raw)
        message = f"expected question ids, each with its fields; found {found}"
        raise QuestionError([Problem(shown, 1, "", message)])
    return raw


def _not_fields(shown: str, line: int, question_id: str, fields: object) -> Problem:
    if question_id == "polls" and isinstance(fields, CommentedSeq):
        message = (
            "this is the earlier polls format (a list under polls:); write each poll as "
            "<id>: with its fields, numeric answers as correct: <number> and tolerance: <number>"
        )
        return Problem(shown, line, "polls", message)
    return Problem(shown, line, question_id, "expected the question's fields")
