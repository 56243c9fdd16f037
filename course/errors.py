"""The kit's exceptions: each message names what is wrong and, where it can, what would be valid.

The CLI prints ``Error: <message>`` without a traceback and exits 1, so a message
must be enough for a person to act on.
"""

from __future__ import annotations

from dataclasses import dataclass


def yaml_syntax_problem(file: str, error: Exception) -> Problem:
    """A ruamel.yaml parse error as a located problem, naming where an unclosed block began."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    what = getattr(error, "problem", None) or str(error).splitlines()[0] or "invalid YAML"
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark and context_mark is not mark:
        what += f" ({context} that starts on line {context_mark.line + 1})"
    return Problem(file, mark.line + 1 if mark else None, "", f"YAML syntax error: {what}")


class CourseError(Exception):
    """Base of every error the kit reports to a person."""


class CourseNotFound(CourseError):
    """No course.yml in the given folder or any of its parents."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located so an editor can jump to it."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class PlanError(CourseError):
    """The course plan is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"the course plan has {count}:\n" + "\n".join(f"  {p}" for p in problems))
