"""Poll definitions: read from a module's polls file (``live.polls`` in course.yml)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML, YAMLError

from course.live.errors import Invalid
from course.live.schemas import NewPoll, PollFile, parse
from course.plan import Course, Module


def module_polls(course: Course, module: Module) -> list[NewPoll]:
    """The module's polls in file order; none when the module names no polls file."""
    if module.live is None or module.live.polls is None:
        return []
    path = course.root / module.live.polls
    return read_polls(path, label=module.live.polls)


def read_polls(path: Path, *, label: str) -> list[NewPoll]:
    """Parse and validate a polls file; errors name the file and the field."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as error:
        raise Invalid(f"{label}: cannot read the polls file: {error}") from None
    try:
        polls = parse(PollFile, data).polls
    except Invalid as error:
        raise Invalid(f"{label}: {error}") from None
    keys = [p.id for p in polls if p.id]
    if len(keys) != len(set(keys)):
        raise Invalid(f"{label}: poll ids must be unique")
    return polls
