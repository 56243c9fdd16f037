"""Exercises checked in a real kernel, the way a learner meets them in a lesson."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from course.learn import check_mode, event_log

RunCells = Callable[[list[str], Path], list[str]]

pytestmark = pytest.mark.slow

DEFINE = """
from course.learn import exercise
ex = exercise(
    "a-squares",
    tests=[
        ("squares(3)", [0, 1, 4]),
        ("isinstance(squares(2), list)", True, "squares should return a list"),
        "len(squares(5)) == 5",
    ],
    hints=["Loop over range(n).", "Try [i * i for i in range(n)]."],
    solution="def squares(n):\\n    return [i * i for i in range(n)]",
)
"""


PANDAS = """
import pandas as pd
from course.learn import expect
bikes = pd.DataFrame({"station": ["Riverside"], "count": [3]})
def total(df):
    rows = df[df["station"] == "Riverside"]
    return rows["bikes"].sum()
where = exercise(
    "a-where",
    tests=[("total(bikes)", 3), ("bikes['bikes'].sum()", 3)],
)
where.check()
"""


@pytest.fixture(scope="module")
def lesson(module_course: Path, run_cells: RunCells) -> list[str]:
    """One kernel, one lesson: outputs of every step a struggling learner takes."""
    return run_cells(
        [
            DEFINE,
            "ex.solution()",  # 1: before any attempt
            "ex.check()",  # 2: nothing defined yet
            "def squares(n):\n    return [i for i in range(n)]\nex.check()",  # 3: wrong values
            "def squares(n):\n    return 1 / 0\nex.check()",  # 4: crashes
            "ex.check(traceback=True)",  # 5: crashes, traceback asked for
            "ex.hint()",  # 6
            "ex.hint()",  # 7
            "ex.hint()",  # 8: past the last
            "ex.solution()",  # 9: after attempts
            "def squares(n):\n    return [i * i for i in range(n)]\nex.check()",  # 10: right
            "ex",  # 11: displayed as buttons with a text fallback
            "def squares(n):\n    # your code here\n    return None\nex.check()",  # 12: a stub
            PANDAS.strip(),  # 13: pandas errors, from the test and the learner's function
        ],
        module_course,
    )


def test_solution_is_refused_before_the_first_check(lesson: list[str]) -> None:
    assert "Try it yourself first" in lesson[1]
    assert "i * i" not in lesson[1]


def test_undefined_function_asks_to_run_its_cell(lesson: list[str]) -> None:
    assert "0 of 3 tests passed" in lesson[2]
    assert "squares is not defined yet: run the cell where you define it" in lesson[2]
    assert "Traceback" not in lesson[2] and "ERROR" not in lesson[2]


def test_wrong_values_say_what_was_given_and_expected(lesson: list[str]) -> None:
    assert "squares(3) gave [0, 1, 2] but should give [0, 1, 4]" in lesson[3]
    assert "2 of 3 tests passed" in lesson[3]


def test_crash_is_one_line_unless_traceback_is_asked_for(lesson: list[str]) -> None:
    assert "squares(3) raised ZeroDivisionError: division by zero (in squares, line 2)" in lesson[4]
    assert "Traceback" not in lesson[4]
    assert "Traceback (most recent call last)" in lesson[5]


def test_hints_come_in_order_and_the_last_repeats(lesson: list[str]) -> None:
    assert "hint 1 of 2" in lesson[6] and "Loop over range(n)." in lesson[6]
    assert "hint 2 of 2" in lesson[7] and "[i * i for i in range(n)]" in lesson[7]
    assert "hint 2 of 2" in lesson[8] and "That is the last hint" in lesson[8]


def test_solution_is_shown_after_an_attempt(lesson: list[str]) -> None:
    assert "def squares(n):" in lesson[9] and "return [i * i for i in range(n)]" in lesson[9]


def test_right_solution_passes_every_test(lesson: list[str]) -> None:
    assert "3 of 3 tests passed — well done!" in lesson[10]
    assert "✘" not in lesson[10]


def test_exercise_displays_buttons_with_a_text_fallback(lesson: list[str]) -> None:
    assert "MIME application/vnd.jupyter.widget-view+json" in lesson[11]
    assert "Exercise a-squares: 3 tests, 2 hints" in lesson[11]


def test_a_stub_returning_none_is_said_once(lesson: list[str]) -> None:
    assert "0 of 3 tests passed" in lesson[12]
    assert lesson[12].count("did your function forget to return its result?") == 1
    assert "squares(3) gave None but should give [0, 1, 4]" in lesson[12]
    assert "(and 2 more tests failed the same way)" in lesson[12]
    assert "NoneType" not in lesson[12]


def test_error_locations_name_only_the_learners_cells(lesson: list[str]) -> None:
    assert "total(bikes) raised KeyError: 'bikes' (in total, line 6)" in lesson[13]
    assert "bikes['bikes'].sum() raised KeyError: 'bikes'\n" in lesson[13] + "\n"
    assert "get_loc" not in lesson[13] and "ERROR" not in lesson[13]


def test_every_check_hint_and_solution_view_is_recorded(lesson: list[str]) -> None:
    events = [
        e for e in event_log().read(kind="exercise") if e["object"]["id"].endswith("a-squares")
    ]
    verbs = [e["verb"]["display"]["en"] for e in events]
    assert verbs.count("checked") == 6
    assert verbs.count("hinted") == 3
    assert verbs.count("viewed-solution") == 1  # the refused one is not a view
    hints = [
        e["result"]["extensions"]["urn:blended-course-kit:hint"]
        for e in events
        if e["verb"]["display"]["en"] == "hinted"
    ]
    assert hints == [1, 2, 2]
    last = [e for e in events if e["verb"]["display"]["en"] == "checked"][-2]
    assert last["result"]["success"] is True and last["result"]["score"]["raw"] == 3
    assert {e["actor"]["name"] for e in events} == {"ada"}
    assert {e["context"]["extensions"]["urn:blended-course-kit:course"] for e in events} == {"mini"}


def test_course_check_rejects_a_solution_that_fails_its_tests(
    course_dir: Path, run_cells: RunCells
) -> None:
    with check_mode():  # the kernel starts in check mode, as course check's do
        outputs = run_cells(
            [
                DEFINE,
                DEFINE.replace("[i * i for i", "[i + i for i").replace("a-squares", "a-doubles"),
                "'squares' in globals()",
            ],
            course_dir,
        )
    assert "ERROR" not in outputs[0]
    assert (
        "ERROR ExerciseError: exercise 'a-doubles': its reference solution fails 1 of its 3 tests"
        in outputs[1]
    )
    assert "squares(3) gave [0, 2, 4] but should give [0, 1, 4]" in outputs[1]
    assert outputs[2] == "False\nMIME text/plain"  # the solution ran in a copy of the namespace
