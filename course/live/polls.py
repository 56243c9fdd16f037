"""Poll definitions: read from a module's polls file (``live.polls`` in course.yml).

The file is in the question dialect lesson quizzes use too (``course.questions``),
validated with the poll rules (``POLL``: a correct answer is optional); each poll
becomes the body the instructor's API takes (``NewPoll``).
"""

from __future__ import annotations

from pathlib import Path

from course.live.errors import Invalid
from course.live.schemas import NewPoll
from course.plan import Course, Module
from course.questions import POLL, QuestionError, load_questions


def module_polls(course: Course, module: Module) -> list[NewPoll]:
    """The module's polls in file order; none when the module names no polls file."""
    if module.live is None or module.live.polls is None:
        return []
    path = course.root / module.live.polls
    return read_polls(path, label=module.live.polls)


def read_polls(path: Path, *, label: str) -> list[NewPoll]:
    """Parse and validate a polls file; errors name the file, the line and the poll."""
    try:
        questions = load_questions(path, POLL, label=label)
    except QuestionError as error:
        raise Invalid(str(error)) from None
    return [NewPoll.from_question(question) for question in questions.values()]
