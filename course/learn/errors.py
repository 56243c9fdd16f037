"""Errors a lesson author can act on: each names the exercise or quiz (and file and line)."""

from __future__ import annotations

from course.errors import CourseError, Problem


class LearnError(CourseError):
    """Base of the learner API's errors."""


class ExerciseError(LearnError):
    """An exercise is badly defined, or its reference solution fails its own tests."""


class QuizError(LearnError):
    """A quiz is badly defined: no correct answer, an unknown option, unreadable YAML.

    Carries every problem found, each located by file (or quiz), line and field.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
