"""Quizzes from a YAML file beside the notebook, answered in a real kernel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from course.learn import event_log

RunCells = Callable[[list[str], Path], list[str]]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def answers(module_course: Path, run_cells: RunCells) -> list[str]:
    return run_cells(
        [
            "from course.learn import quiz",
            'quiz("a-len")',  # 1: displayed
            'quiz("a-len").answer("2")',  # 2
            'quiz("a-len").answer("3")',  # 3
            'quiz("a-lists").answer(["[]"])',  # 4
            'quiz("a-lists").answer(["[1, 2]", "[]"])',  # 5
            'quiz("a-mean").answer(2.34)',  # 6: within the tolerance
            'quiz("a-mean").answer("2.5")',  # 7
            'quiz("a-table").answer("  Data Frame ")',  # 8
            'quiz("a-table").answer("Series")',  # 9
            'quiz("a-nocorrect", file="bad-quizzes.yml")',  # 10
            # 11: the widget's Submit records the answer too
            "from course.learn.widgets import quiz_box\n"
            'box = quiz_box(quiz("a-len"))\n'
            'box.children[1].value = "3"\n'
            "box.children[2].click()",
        ],
        module_course,
    )


def test_quiz_shows_a_widget_and_readable_text(answers: list[str]) -> None:
    assert "MIME application/vnd.jupyter.widget-view+json" in answers[1]
    assert "Quiz a-len (choose one): What does len([3, 1, 2]) give?" in answers[1]
    assert "( ) 3\n  ( ) 2" in answers[1]


def test_single_choice_gives_the_chosen_options_feedback(answers: list[str]) -> None:
    assert "a-len: not quite" in answers[2]
    assert "2: That is the last index, not the count." in answers[2]
    assert "a-len: correct" in answers[3] and "len works on any collection." in answers[3]


def test_multiple_choice_needs_every_right_option(answers: list[str]) -> None:
    assert "a-lists: not quite" in answers[4] and "1 more correct option(s)" in answers[4]
    assert "a-lists: correct" in answers[5]


def test_numeric_answer_counts_within_its_tolerance(answers: list[str]) -> None:
    assert "a-mean: correct" in answers[6]
    assert "a-mean: not quite" in answers[7]


def test_text_answer_ignores_case_and_spaces(answers: list[str]) -> None:
    assert "a-table: correct" in answers[8]
    assert "a-table: not quite" in answers[9]


def test_quiz_without_correct_answer_names_file_line_and_question(answers: list[str]) -> None:
    assert "ERROR QuizError" in answers[10]
    assert "bad-quizzes.yml:6: a-nocorrect.correct: has no correct answer" in answers[10]
    assert (
        "bad-quizzes.yml:14: a-wrong.correct: 'C' is not among the options 'A', 'B'"
        in (answers[10])
    )


def test_every_answer_is_recorded_with_its_success(answers: list[str]) -> None:
    events = event_log().read(verb="answered")
    outcomes = [(e["object"]["definition"]["name"]["en"], e["result"]["success"]) for e in events]
    assert outcomes == [
        ("a-len", False),
        ("a-len", True),
        ("a-lists", False),
        ("a-lists", True),
        ("a-mean", True),
        ("a-mean", False),
        ("a-table", True),
        ("a-table", False),
        ("a-len", True),  # from the widget's Submit button
    ]
    assert events[3]["result"]["response"] == "[1, 2][,][]"
