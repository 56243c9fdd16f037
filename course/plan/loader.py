"""Read course.yml into a ``Course``, turning every problem into a located, actionable message.

YAML is parsed with ruamel's round-trip loader because it remembers the line of
every key and list item; pydantic's error locations are then mapped back onto
those lines, so a message reads ``course.yml:14: modules[0].exercise.due: …``.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError

from course.errors import CourseNotFound, PlanError, Problem, yaml_syntax_problem
from course.plan.crosscheck import crosscheck
from course.plan.model import Course

PLAN_FILE = "course.yml"


class _Constructor(RoundTripConstructor):
    """Keeps dates as text, so pydantic judges them and 2027-13-01 cannot crash the parser."""

    def timestamp_as_text(self, node: Any) -> str:
        return str(self.construct_scalar(node))


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.timestamp_as_text)


def find_course(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a course.yml."""
    start = start.resolve()
    if start.is_file():
        return start.parent
    for folder in (start, *start.parents):
        if (folder / PLAN_FILE).is_file():
            return folder
    raise CourseNotFound(
        f"no {PLAN_FILE} in {start} or any folder above it; "
        "run inside a course or pass --course PATH"
    )


def load_course(path: Path | str = ".") -> Course:
    """Load and fully validate the plan at ``path`` (a course folder or its course.yml).

    Raises ``PlanError`` carrying every problem found, each with file, line and field.
    """
    root = find_course(Path(path))
    plan_file = root / PLAN_FILE
    raw = _read_yaml(plan_file)
    try:
        course = Course.model_validate(_plain(raw))
    except ValidationError as error:
        raise PlanError([_problem(PLAN_FILE, raw, e) for e in error.errors()]) from None
    course._root = root
    problems = crosscheck(
        course, lambda loc, message: Problem(PLAN_FILE, _line(raw, loc), field_path(loc), message)
    )
    if problems:
        raise PlanError(problems)
    return course


def _read_yaml(plan_file: Path) -> CommentedMap:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        text = plan_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError([Problem(PLAN_FILE, None, "", f"cannot be read: {error}")]) from None
    try:
        raw = yaml.load(text)
    except YAMLError as error:
        raise PlanError([yaml_syntax_problem(PLAN_FILE, error)]) from None
    if not isinstance(raw, CommentedMap):
        found = "an empty file" if raw is None else "a list" if isinstance(raw, list) else repr(raw)
        raise PlanError([Problem(PLAN_FILE, 1, "", f"expected a mapping of keys, found {found}")])
    return raw


def _plain(node: Any) -> Any:
    """Round-trip containers as plain dicts and lists, so pydantic sees ordinary Python data."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _line(raw: CommentedMap, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest part of ``loc`` that exists in the YAML tree."""
    node: Any = raw
    line: int | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        elif not isinstance(part, str | int):
            continue
        else:
            break
    return line


def field_path(loc: tuple[Any, ...]) -> str:
    """``('modules', 0, 'exercise', 'due')`` as ``modules[0].exercise.due``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows at ``loc``, to suggest the right one for an unknown key."""
    model: type[BaseModel] = Course
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        nested = _model_in(field.annotation)
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


_EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
}


def _problem(file: str, raw: CommentedMap, error: Any) -> Problem:
    loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        valid = _fields_at(loc[:-1])
        close = get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        message = f"unknown key {loc[-1]!r}; {hint}valid keys here: {', '.join(valid)}"
    elif kind == "missing":
        message = "is required but missing"
    elif kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        message = f"{value} is not a date (write it as YYYY-MM-DD)"
    elif kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        message = f"{value} is not a date and time (write it as YYYY-MM-DDTHH:MM)"
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, found {value!r}"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "assignment"):
        message = f"{value!r} is not a valid id (a letter, then letters, digits, - or _)"
    elif kind == "literal_error":
        message = f"{value!r} is not one of {error['ctx']['expected']}"
    elif kind == "value_error":
        message = str(error["ctx"]["error"])
    else:
        message = f"{value!r}: {error['msg']}" if value is not None else error["msg"]
    return Problem(file, _line(raw, loc), field_path(loc), message)
