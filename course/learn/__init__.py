"""The learner's side: checkable exercises, quizzes and a learner's own progress (issue 4).

In a lesson notebook::

    from course.learn import exercise, expect, quiz, progress, complete

    squares = exercise(
        "m1-squares",
        tests=[
            ("squares(3)", [0, 1, 4]),                       # expression, expected value
            "len(squares(5)) == 5",                          # a condition
            expect("squares(0) == []", message="no numbers for n = 0"),   # with a message
            expect("squares(4)", [0, 1, 4, 9], reveal=False),  # failure hides the answer
        ],
        hints=["range(n)"],
        solution="def squares(n):\\n    return [i * i for i in range(n)]",
    )
    squares.check()          # last in its cell: every test, passed or failed
    squares.check(first_failure=True)   # or stop at the first failing test
    quiz("m1-len")           # a question from quizzes.yml in the kernel's working directory
    progress()               # modules, results, next deadline and live session

Every check, hint, solution view, answer and completion is an xAPI-shaped event in
the learner's local store, sent on to COURSE_EVENTS_URL when that is set.

Check mode is the one switch between a learner's kernel and ``course check``'s: in
check mode, defining an exercise runs its reference solution against its tests and
raises ``ExerciseError`` if one fails. ``course check`` starts its kernels in it
(``check_mode_environment()``, the variable ``COURSE_CHECK=1``); ``with check_mode():``
turns it on for a block; ``in_check_mode()`` says whether it is on
(``course.learn.checkmode``).
"""

from course.learn.checkmode import check_mode, check_mode_environment, in_check_mode
from course.learn.display import figure
from course.learn.errors import ExerciseError, LearnError, QuizError
from course.learn.events import EventLog, event_log
from course.learn.exercise import CheckResult, Exercise, exercise, expect
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
    "check_mode",
    "check_mode_environment",
    "complete",
    "event_log",
    "exercise",
    "expect",
    "figure",
    "in_check_mode",
    "load_quizzes",
    "progress",
    "quiz",
]
