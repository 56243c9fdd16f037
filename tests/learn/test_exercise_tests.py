"""How an exercise's tests are written and compared, without a kernel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course.learn import ExerciseError, exercise
from course.learn.exercise import equal


@pytest.mark.parametrize(
    ("actual", "expected", "same"),
    [
        (0.1 + 0.2, 0.3, True),
        (2.5, 2.6, False),
        (1, True, False),  # a bool is not a number here
        (np.array([1, 2]), np.array([1, 2]), True),
        (np.array([1, 2]), np.array([1, 2, 3]), False),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), True),
        (pd.Series([1, 2]), pd.Series([1, 3]), False),
        ([0, 1], [0, 1], True),
    ],
)
def test_equality_is_what_a_learner_means(actual: object, expected: object, same: bool) -> None:
    assert equal(actual, expected) is same


def test_malformed_tests_name_the_exercise(learner: Path) -> None:
    with pytest.raises(ExerciseError, match=r"exercise 'a-x': test 2 'squares\(' is not a Python"):
        exercise("a-x", tests=["True", "squares("])
    with pytest.raises(ExerciseError, match=r"exercise 'a-x': tests must be a non-empty list"):
        exercise("a-x", tests=[])
    with pytest.raises(ExerciseError, match=r"exercise 'a-x': test 1 is \['x', 1\]"):
        exercise("a-x", tests=[["x", 1]])


def test_outside_ipython_checks_use_the_callers_globals(learner: Path) -> None:
    global shout

    def shout(text: str) -> str:
        return text.upper() + "!"

    loud = exercise("a-shout", tests=[("shout('hi')", "HI!"), ("shout('')", "")])
    result = loud.check()
    assert [o.passed for o in result.outcomes] == [True, False]
    assert "shout('') gave '!' but should give ''" in result.text()


def test_course_check_runs_the_solution_in_a_copy(
    learner: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSE_CHECK", "1")
    exercise("a-cube", tests=[("cube(2)", 8)], solution="def cube(n):\n    return n ** 3")
    assert "cube" not in globals()
    with pytest.raises(
        ExerciseError, match=r"exercise 'a-bad': its reference solution raised Zero"
    ):
        exercise(
            "a-bad", tests=[("cube(2)", 8)], solution="def cube(n):\n    return n / 0\ncube(1)"
        )
