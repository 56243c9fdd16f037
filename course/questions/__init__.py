"""Questions: one model and one YAML dialect for lesson quizzes and live polls.

``course.learn.quiz`` asks them in a learner's notebook (``quizzes.yml`` beside the
lessons, ``QUIZ``); ``course.live.polls`` opens them in a live session (the polls file
a module names in course.yml, ``POLL``). ``course check`` validates both kinds of file
with ``load_questions``. Below both learn and live: it imports only the kit's errors.
"""

from course.questions.files import load_questions
from course.questions.model import (
    KINDS,
    POLL,
    QUIZ,
    Question,
    QuestionError,
    Use,
    build_question,
    normalise_text,
    number_matches,
)

__all__ = [
    "KINDS",
    "POLL",
    "QUIZ",
    "Question",
    "QuestionError",
    "Use",
    "build_question",
    "load_questions",
    "normalise_text",
    "number_matches",
]
