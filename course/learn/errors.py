"""Errors a lesson author can act on: each names the exercise or quiz (and file and line)."""

from __future__ import annotations

from course.errors import CourseError
from course.questions import QuestionError


class LearnError(CourseError):
    """Base of the learner API's errors."""


class ExerciseError(LearnError):
    """An exercise is badly defined, or its reference solution fails its own tests."""


class QuizError(LearnError, QuestionError):
    """A quiz is badly defined: no correct answer, an unknown option, unreadable YAML.

    Carries every problem found (``problems``), each located by file (or quiz), line and
    field; the rules are the question model's (``course.questions``).
    """
