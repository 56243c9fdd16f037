"""One dialect for quizzes and polls: each problem names the file, the line and the question."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.questions import POLL, QUIZ, QuestionError, load_questions
from tests.sample import REPO

ONE_OF_EACH = """\
q-single:
  question: Which type does 3 / 2 produce?
  kind: single
  options: [int, float]
  correct: float
q-multiple:
  question: Which are lists?
  kind: multiple
  options: ["[]", "()", "[1]"]
  correct: ["[]", "[1]"]
q-numeric:
  question: 22 / 7 to two decimals?
  kind: numeric
  correct: 3.14
  tolerance: 0.005
q-text:
  question: pandas' name for a table?
  kind: text
"""


def write(folder: Path, text: str, name: str = "questions.yml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, use=POLL) -> list[tuple[int | None, str, str]]:
    with pytest.raises(QuestionError) as raised:
        load_questions(path, use)
    return [(p.line, p.field, p.message) for p in raised.value.problems]


def test_a_file_of_each_kind_loads_in_order_as_polls(tmp_path: Path) -> None:
    questions = load_questions(write(tmp_path, ONE_OF_EACH), POLL)
    assert [(q.id, q.kind) for q in questions.values()] == [
        ("q-single", "single"),
        ("q-multiple", "multiple"),
        ("q-numeric", "numeric"),
        ("q-text", "text"),
    ]
    assert questions["q-single"].correct == ("float",)
    assert questions["q-numeric"].correct == (3.14,) and questions["q-numeric"].tolerance == 0.005
    assert questions["q-text"].correct == ()


def test_the_same_file_as_quizzes_wants_an_answer_for_every_question(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_OF_EACH)
    assert problems(path, QUIZ) == [
        (16, "q-text.correct", "has no correct answer; add correct: with the right answer")
    ]
    fixed = write(tmp_path, ONE_OF_EACH + "  correct: [DataFrame, data frame]\n")
    assert load_questions(fixed, QUIZ)["q-text"].correct == ("DataFrame", "data frame")


def test_poll_problems_name_file_line_and_question(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p-one:\n  question: Pick\n  kind: single\n  options: [a, b]\n  correct: c\n"
        "p-two:\n  question: How many?\n  kind: numeric\n  correct: {value: 3, tolerance: 0}\n"
        "p-3 bad:\n  question: Q\n  kind: text\n",
    )
    with pytest.raises(QuestionError) as raised:
        load_questions(path, POLL, label="notebooks/polls/m9.yml")
    lines = str(raised.value).splitlines()
    assert lines[0] == (
        "notebooks/polls/m9.yml:5: p-one.correct: 'c' is not among the options 'a', 'b'"
    )
    assert lines[1].startswith("notebooks/polls/m9.yml:9: p-two.correct: is {")
    assert "a numeric poll needs a number; write the tolerance as its own key" in lines[1]
    assert lines[2].startswith("notebooks/polls/m9.yml:10: p-3 bad: 'p-3 bad' is not a valid id")


def test_what_a_poll_cannot_show_is_refused_not_dropped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p-q:\n  question: Pick\n  kind: single\n  options:\n    a: right\n    b: wrong\n"
        "  correct: a\n  explanation: because\n"
        "p-t:\n  question: Say\n  kind: text\n  correct: [anything]\n",
    )
    assert problems(path) == [
        (
            8,
            "p-q.explanation",
            "a poll shows no explanation; say it when you reveal the answer; remove explanation",
        ),
        (4, "p-q.options", "a poll shows no feedback per option; write the options as a list"),
        (12, "p-t.correct", "a text poll collects answers and has no correct one; remove correct"),
    ]


def test_the_earlier_polls_format_says_how_to_rewrite_it(tmp_path: Path) -> None:
    path = write(tmp_path, "# old\npolls:\n  - id: m1-a\n    kind: text\n    question: Q\n")
    [(line, field, message)] = problems(path)
    assert (line, field) == (2, "polls")
    assert "earlier polls format" in message and "correct: <number> and tolerance:" in message


def test_limits_and_tolerance_rules_hold_for_both_uses(tmp_path: Path) -> None:
    options = ", ".join(f"o{i}" for i in range(13))
    path = write(
        tmp_path,
        f"q-many:\n  question: Pick\n  kind: multiple\n  options: [{options}]\n  correct: [o1]\n"
        "q-tol:\n  question: Pick\n  kind: single\n  options: [a, b]\n  correct: a\n"
        "  tolerance: 1\n"
        "q-neg:\n  question: How many?\n  kind: numeric\n  correct: 3\n  tolerance: -1\n",
    )
    for use in (QUIZ, POLL):
        assert problems(path, use) == [
            (4, "q-many.options", "has 13 options; at most 12 fit on a screen"),
            (11, "q-tol.tolerance", "only numeric questions have a tolerance"),
            (16, "q-neg.tolerance", "is -1; write a number of 0 or more, like 0.01"),
        ]


def test_unreadable_yaml_and_a_missing_file_are_located(tmp_path: Path) -> None:
    broken = write(tmp_path, "q:\n  question: ok\n  kind: [single\n  correct: x\n")
    [(line, _, message)] = problems(broken)
    assert line == 4 and message.startswith("YAML syntax error")
    [(line, _, message)] = problems(tmp_path / "nowhere.yml")
    assert (line, message) == (None, "cannot be read: does not exist")


@pytest.mark.parametrize(
    ("pattern", "use"), [("notebooks/**/quizzes.yml", QUIZ), ("notebooks/polls/*.yml", POLL)]
)
def test_the_sample_course_files_are_in_the_dialect(pattern: str, use) -> None:
    files = sorted(REPO.glob(pattern))
    assert files
    for path in files:
        assert len(load_questions(path, use)) >= 5, path
