"""How an exercise's tests are written and compared, without a kernel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course.learn import (
    ExerciseError,
    check_mode,
    event_log,
    exercise,
    expect,
    in_check_mode,
)
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


def test_course_check_runs_the_solution_in_a_copy(learner: Path) -> None:
    with check_mode():
        exercise("a-cube", tests=[("cube(2)", 8)], solution="def cube(n):\n    return n ** 3")
        assert "cube" not in globals()
        with pytest.raises(
            ExerciseError, match=r"exercise 'a-bad': its reference solution raised Zero"
        ):
            exercise(
                "a-bad",
                tests=[("cube(2)", 8)],
                solution="def cube(n):\n    return n / 0\ncube(1)",
            )


def test_outside_check_mode_defining_an_exercise_runs_nothing(learner: Path) -> None:
    broken = "def cube(n):\n    return n / 0\ncube(1)"
    assert not in_check_mode()
    exercise("a-bad", tests=[("cube(2)", 8)], solution=broken)  # a learner's kernel: no error
    with check_mode():
        assert in_check_mode()
        with pytest.raises(ExerciseError, match=r"its reference solution raised Zero"):
            exercise("a-bad", tests=[("cube(2)", 8)], solution=broken)
    assert not in_check_mode()  # the block ends the mode


def test_a_condition_carries_its_message_with_expect(learner: Path) -> None:
    global total

    total = 3
    ex = exercise(
        "a-cond",
        tests=[
            expect("total > 5", message="add the weekend too"),
            expect("total > 1", message="never shown: it passes"),
            "total == 4",
        ],
    )
    result = ex.check()
    assert [o.passed for o in result.outcomes] == [False, True, False]
    assert "✘ add the weekend too" in result.text()
    assert "✔ total > 1" in result.text()
    assert "✘ total == 4 is not true" in result.text()
    assert ex.tests[0].is_condition  # the message is never taken for an expected value


def test_test_forms_are_unambiguous(learner: Path) -> None:
    old = exercise("a-old", tests=[("1 + 1", 2, "adds")])
    assert (old.tests[0].expected, old.tests[0].message) == (2, "adds")
    with pytest.raises(ExerciseError, match=r"test 1's third element is 3, not a message"):
        exercise("a-x", tests=[("1 + 1", 2, 3)])
    with pytest.raises(ExerciseError, match=r"test 1: reveal=False hides an expected value"):
        exercise("a-x", tests=[expect("1 > 0", reveal=False)])
    with pytest.raises(ExerciseError, match=r"test 1 is \{'expr': '1'\}; write an expression"):
        exercise("a-x", tests=[{"expr": "1"}])


def test_reveal_false_keeps_the_answer_out_of_the_feedback(learner: Path) -> None:
    global busiest

    def busiest(station: str) -> str:
        return "Mon"

    ex = exercise(
        "a-hidden",
        tests=[
            expect("busiest('Old Town')", "Fri", message="group, then idxmax", reveal=False),
            ("busiest('University')", "Wed"),
        ],
    )
    text = ex.check().text()
    assert "busiest('Old Town') is not right yet (it gave 'Mon'): group, then idxmax" in text
    assert "Fri" not in text
    assert "busiest('University') gave 'Mon' but should give 'Wed'" in text
    # the author's own check (course check) still sees the expected value
    with check_mode(), pytest.raises(ExerciseError, match=r"gave 'Thu' but should give 'Fri'"):
        exercise(
            "a-hidden",
            tests=[expect("busiest('Old Town')", "Fri", reveal=False)],
            solution="def busiest(station):\n    return 'Thu'",
        )


def test_a_function_returning_none_is_said_once_for_every_kind_of_test(learner: Path) -> None:
    global squares

    def squares(n: int) -> list[int] | None:
        return None

    tests = [
        ("squares(3)", [0, 1, 4]),  # a value
        "isinstance(squares(2), list)",  # a condition
        expect("len(squares(5)) == 5", message="five numbers"),  # raises TypeError on None
        ("squares(4)[0]", 0),  # raises TypeError on None too
        ("1 + 1", 3),  # a different failure: still shown on its own
    ]
    result = exercise("a-none", tests=tests).check()
    text = result.text()
    assert text.count("did your function forget to return its result?") == 1
    assert "squares(...) returned None" in text
    assert "squares(3) gave None but should give [0, 1, 4]" in text
    assert "(and 3 more tests failed the same way)" in text
    assert "isinstance" not in text and "NoneType" not in text
    assert "1 + 1 gave 2 but should give 3" in text
    assert "0 of 5 tests passed" in text


def test_none_is_no_failure_when_it_is_the_expected_value(learner: Path) -> None:
    global clean_mean

    def clean_mean(values: list[int]) -> float | None:
        return None

    result = exercise("a-clean", tests=[("clean_mean([-1])", None), ("clean_mean([1])", 1)]).check()
    assert [o.passed for o in result.outcomes] == [True, False]
    assert result.text().count("forget to return") == 1


def test_first_failure_stops_and_counts_the_rest_as_not_passed(learner: Path) -> None:
    global double

    def double(n: int) -> int:
        return n * 3

    ex = exercise("a-double", tests=[("double(0)", 0), ("double(1)", 2), ("double(2)", 4)])
    result = ex.check(first_failure=True)
    assert [o.test.expression for o in result.outcomes] == ["double(0)", "double(1)"]
    assert "1 of 3 tests passed" in result.text()
    assert "1 more test not run: fix this one first." in result.text()
    assert not result.passed and result.score == pytest.approx(1 / 3)
    event = event_log().read(verb="checked")[-1]
    assert event["result"]["score"] == {"raw": 1, "min": 0, "max": 3, "scaled": 1 / 3}
    assert event["result"]["extensions"]["urn:blended-course-kit:failed"] == [
        "double(1)",
        "double(2)",
    ]
    assert len(ex.check().outcomes) == 3  # without it, every test runs


def test_error_location_names_only_the_learners_code(learner: Path) -> None:
    global station_counts

    def station_counts(frame: pd.DataFrame) -> pd.Series:
        return frame["bikes"]

    line = station_counts.__code__.co_firstlineno + 1
    frame = pd.DataFrame({"station": ["Riverside"]})
    ex = exercise(
        "a-where",
        tests=[("station_counts(frame)", 1), ("frame['bikes']", 1)],
    )
    globals()["frame"] = frame
    text = ex.check().text()
    assert f"station_counts(frame) raised KeyError: 'bikes' (in station_counts, line {line})" in (
        text
    )
    assert "frame['bikes'] raised KeyError: 'bikes'\n" in text + "\n"
    assert "get_loc" not in text and "line 549" not in text


def test_expected_dicts_keep_the_order_they_were_written_in(learner: Path) -> None:
    global summary

    def summary(week: list[int]) -> dict[str, int]:
        return {"workdays": sum(week[:5]), "weekend": 0}

    ex = exercise("a-dict", tests=[("summary([1] * 7)", {"workdays": 5, "weekend": 2})])
    text = ex.check().text()
    assert (
        "gave {'workdays': 5, 'weekend': 0} but should give {'workdays': 5, 'weekend': 2}" in text
    )
