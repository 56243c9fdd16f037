"""What a request may contain: pydantic models with a length limit on every field.

Every handler parses its body through one of these, so a wrong type, a missing
field, an unknown field or an oversized string is a 400 naming the field, never a
500. Text is NFC-normalised and stripped of control characters before it is stored;
it is stored as typed (escaping happens on output, see ``views``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from course.errors import Problem
from course.live.errors import Invalid
from course.questions import POLL, Question, QuestionError, build_question

MAX_BODY = 64 * 1024  # bytes of one JSON request body
MAX_EVENTS_BODY = 2 * 1024 * 1024  # a learner's queue flushes 200 events at a time
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """NFC, no control or bidi-override characters, no surrounding blanks."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()


def _clean_nonempty(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValueError("must not be empty")
    return value


# Text a person typed: cleaned, then not empty, then no longer than its limit.
_CLEAN = AfterValidator(_clean_nonempty)
Name = Annotated[str, Field(max_length=40, strict=True), _CLEAN]
Title = Annotated[str, Field(max_length=200, strict=True), _CLEAN]
Option = Annotated[str, Field(max_length=200, strict=True), _CLEAN]
Prompt = Annotated[str, Field(max_length=500, strict=True), _CLEAN]
Asked = Annotated[str, Field(max_length=300, strict=True), _CLEAN]
MAX_REPLY = 200


PollKind = Literal["single", "multiple", "numeric", "text"]
PollKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$", strict=True)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewSession(_Body):
    module: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$", strict=True)]
    title: Title | None = None


class SessionChange(_Body):
    state: Literal["open", "ended"]


class Join(_Body):
    code: Annotated[str, Field(min_length=4, max_length=12, pattern=r"^[A-Za-z0-9 -]+$")]
    name: Name | None = None
    anonymous: StrictBool = False

    @model_validator(mode="after")
    def _named_or_anonymous(self) -> Join:
        if not self.anonymous and not self.name:
            raise ValueError("give a name, or set anonymous to true")
        return self


class NumericCorrect(_Body):
    value: float = Field(allow_inf_nan=False)
    tolerance: float = Field(0, ge=0, allow_inf_nan=False)


class NewPoll(_Body):
    """A poll as the instructor sends it (and as a polls file's question becomes).

    The JSON shape is the API's own (``correct``: option texts, or ``{value,
    tolerance}``); whether the question holds together is the question model's rule
    (``course.questions``, ``POLL``), the one polls files and quizzes are checked with.
    """

    id: PollKey | None = None
    kind: PollKind
    question: Prompt
    options: Annotated[list[Option], Field(max_length=12)] = []
    correct: list[Option] | NumericCorrect | None = None

    @model_validator(mode="after")
    def _consistent(self) -> NewPoll:
        self.to_question()
        return self

    def to_question(self) -> Question:
        """The poll in the question model; ValueError naming the field when it does not hold."""
        fields: dict[str, Any] = {"question": self.question, "kind": self.kind}
        if self.options:
            fields["options"] = list(self.options)
        if isinstance(self.correct, NumericCorrect):
            fields.update(correct=self.correct.value, tolerance=self.correct.tolerance)
        elif self.correct is not None:
            fields["correct"] = list(self.correct)

        def where(name: str, message: str) -> Problem:
            return Problem("poll", None, name, message)

        try:
            return build_question(self.id or "poll", fields, where, POLL)
        except QuestionError as error:
            first = error.problems[0]
            raise ValueError(f"{first.field}: {first.message}") from None

    @classmethod
    def from_question(cls, question: Question) -> NewPoll:
        """A question of a polls file as the body ``LiveService.add_poll`` takes."""
        correct: list[str] | dict[str, float] | None = None
        if question.correct and question.kind in ("single", "multiple"):
            correct = list(question.correct)
        elif question.correct and question.kind == "numeric":
            correct = {"value": question.correct[0], "tolerance": question.tolerance}
        body = {"id": question.id, "kind": question.kind, "question": question.question}
        return cls.model_validate({**body, "options": list(question.options), "correct": correct})


class AnswerBody(_Body):
    """``value``: an option index (single), a list of indices (multiple), a number, a text."""

    value: Any  # checked against the poll's kind by ``check_answer``


def check_answer(kind: str, options: int, value: Any) -> Any:
    """The answer in its stored form, or Invalid saying what this poll kind takes."""
    if kind == "single" and _index(value, options):
        return value
    if kind == "multiple" and _indices(value, options):
        return sorted(value)
    if kind == "numeric" and _finite(value):
        return value
    text = clean_text(value) if isinstance(value, str) and len(value) <= MAX_REPLY else ""
    if kind == "text" and text:
        return text
    expected = {
        "single": f"an option index from 0 to {options - 1}",
        "multiple": f"a list of different option indices from 0 to {options - 1}",
        "numeric": "a finite number",
        "text": f"a text of 1 to {MAX_REPLY} characters",
    }[kind]
    raise Invalid(f"value: a {kind} poll takes {expected}")


def _index(value: Any, options: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < options


def _indices(value: Any, options: int) -> bool:
    if not isinstance(value, list) or not value or len(value) > options:
        return False
    return all(_index(v, options) for v in value) and len(set(value)) == len(value)


def _finite(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return math.isfinite(value) and abs(value) < 1e15


class NewQuestion(_Body):
    text: Asked


class QuestionChange(_Body):
    answered: StrictBool | None = None
    hidden: StrictBool | None = None


class WordsChange(_Body):
    """The instructor's decision on words of a text poll (``course.live.words``)."""

    words: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=60)]],
        Field(min_length=1, max_length=200),
    ]
    state: Literal["approved", "hidden", "pending"]


class FormGroups(_Body):
    size: Annotated[int, Field(ge=2, le=50, strict=True)] | None = None
    count: Annotated[int, Field(ge=1, le=500, strict=True)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> FormGroups:
        if (self.size is None) == (self.count is None):
            raise ValueError("give either size (members per group) or count (number of groups)")
        return self


Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], data: Any) -> Model:
    """Validate ``data`` against ``model``; Invalid names the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise Invalid(f"{where}: {first['msg']}") from None


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class _Named(_Open):
    en: Annotated[str, Field(max_length=300)] = ""


class _Definition(_Open):
    name: _Named = _Named()


class _Account(_Open):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class _Actor(_Open):
    name: Annotated[str, Field(max_length=200)] | None = None
    account: _Account | None = None

    @model_validator(mode="after")
    def _someone(self) -> _Actor:
        if not (self.account or self.name):
            raise ValueError("an actor needs account.name or name")
        return self


class _Verb(_Open):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    display: _Named = _Named()


class _Object(_Open):
    id: Annotated[str, Field(min_length=1, max_length=500)]
    definition: _Definition = _Definition()


class _Score(_Open):
    scaled: float | None = Field(None, ge=-1, le=1)


class _Result(_Open):
    success: StrictBool | None = None
    score: _Score | None = None


class Statement(_Open):
    """An xAPI statement as ``course.learn.events`` sends it; unknown xAPI fields are kept."""

    id: Annotated[str, Field(pattern=r"^[0-9a-fA-F-]{32,36}$")]
    actor: _Actor
    verb: _Verb
    object: _Object
    result: _Result | None = None
    context: dict[str, Any] = {}
    timestamp: Annotated[str, Field(max_length=40)]


class Statements(BaseModel):
    items: Annotated[list[Statement], Field(min_length=1, max_length=1000)]
