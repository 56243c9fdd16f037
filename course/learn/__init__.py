"""The learner's side: checkable exercises, quizzes and a learner's own progress (issue 4).

In a lesson notebook::

    from course.learn import exercise, quiz, progress, complete

    squares = exercise("m1-squares", tests=[("squares(3)", [0, 1, 4])], hints=["range(n)"],
                       solution="def squares(n):\\n    return [i * i for i in range(n)]")
    squares.check()          # last in its cell: every test, passed or failed
    quiz("m1-len")           # a question from quizzes.yml beside the notebook
    progress()               # modules, results, next deadline and live session

Every check, hint, solution view, answer and completion is an xAPI-shaped event in
the learner's local store, sent on to COURSE_EVENTS_URL when that is set.
"""

from course.learn.errors import ExerciseError, LearnError, QuizError
from course.learn.events import EventLog, event_log
from course.learn.exercise import CheckResult, Exercise, exercise
from course.learn.progress import Progress, complete, progress
from course.learn.quiz import Feedback, Quiz, load_quizzes, quiz

__all__ = [
    "CheckResult",
    "EventLog",
    "Exercise",
    "ExerciseError",
    "Feedback",
    "LearnError",
    "Progress",
    "Quiz",
    "QuizError",
    "complete",
    "event_log",
    "exercise",
    "load_quizzes",
    "progress",
    "quiz",
]
