"""Quiz definitions: an author's mistake is reported with file, line and question id."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from course.learn import QuizError, load_quizzes, quiz


def write(folder: Path, text: str) -> Path:
    path = folder / "quizzes.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_loads_from_yaml(course_dir: Path) -> None:
    specs = load_quizzes("quizzes.yml")
    assert {s.id: s.kind for s in specs.values()} == {
        "a-len": "single",
        "a-lists": "multiple",
        "a-mean": "numeric",
        "a-table": "text",
    }
    assert specs["a-len"].feedback["2"] == "That is the last index, not the count."
    assert specs["a-mean"].tolerance == 0.01


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a-q:\n  question: ok\n  kind: [single\n  correct: x\n")
    with pytest.raises(QuizError, match=r"quizzes\.yml:4: YAML syntax error"):
        load_quizzes(path)


def test_every_problem_in_a_file_is_reported_at_once(course_dir: Path) -> None:
    with pytest.raises(QuizError) as raised:
        load_quizzes("bad-quizzes.yml")
    assert [(p.line, p.field) for p in raised.value.problems] == [
        (6, "a-nocorrect.correct"),
        (14, "a-wrong.correct"),
    ]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a-q:\n  question: Q?\n  kind: text\n  corect: yes\n")
    with pytest.raises(QuizError) as raised:
        load_quizzes(path)
    message = str(raised.value)
    assert "quizzes.yml:4: a-q.corect: unknown key 'corect'; did you mean 'correct'?" in message
    assert "quizzes.yml:1: a-q.correct: has no correct answer" in message


def test_single_choice_with_two_correct_options_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a-q:\n  question: Q?\n  kind: single\n  options: [A, B]\n  correct: [A, B]\n"
    )
    with pytest.raises(
        QuizError, match=r"quizzes\.yml:5: a-q\.correct: a single-choice quiz has one"
    ):
        load_quizzes(path)


def test_missing_file_and_unknown_question_are_named(course_dir: Path) -> None:
    with pytest.raises(QuizError, match=r"nowhere\.yml: not found: looked for .*mini/nowhere\.yml"):
        quiz("a-len", file="nowhere.yml")
    with pytest.raises(
        QuizError, match=r"quizzes\.yml: a-nope: no such question; .*it has: a-len, a-lists"
    ):
        quiz("a-nope")


def test_inline_quiz_errors_name_the_quiz(learner: Path) -> None:
    with pytest.raises(
        QuizError, match=r"quiz 'a-q': correct: 'C' is not among the options 'A', 'B'"
    ):
        quiz("a-q", question="Q?", kind="single", options=["A", "B"], correct="C")
    with pytest.raises(
        QuizError, match=r"quiz 'a-q': correct: is 'many'; a numeric quiz needs a number"
    ):
        quiz("a-q", question="Q?", kind="numeric", correct="many")


def test_inline_numeric_quiz_without_tolerance_wants_the_exact_value(learner: Path) -> None:
    pi = quiz("a-pi", question="22/7 to 3 places?", kind="numeric", correct=3.143)
    assert pi.answer("3.143").correct is True
    assert pi.answer("3,143").correct is True  # a decimal comma is a number too
    assert pi.answer(3.14).correct is False
    assert pi.answer("three").correct is None  # not an answer: nothing recorded


def test_invalid_choice_is_not_recorded(course_dir: Path) -> None:
    from course.learn import event_log

    feedback = quiz("a-len").answer("4")
    assert feedback.correct is None and "'4' is not an option" in feedback.text()
    assert event_log().read(verb="answered") == []


def test_quiz_file_is_parsed_once_and_again_after_an_edit(
    course_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz_module = importlib.import_module("course.learn.quiz")
    loads = []
    real = quiz_module.load_quizzes
    monkeypatch.setattr(quiz_module, "load_quizzes", lambda path: loads.append(path) or real(path))
    assert quiz("a-len").spec.question == "What does len([3, 1, 2]) give?"
    quiz("a-mean")
    quiz("a-len", file=Path("quizzes.yml").absolute())  # the same file, however named
    assert len(loads) == 1
    path = Path("quizzes.yml")
    path.write_text(path.read_text().replace("What does len", "What gives len"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert quiz("a-len").spec.question == "What gives len([3, 1, 2]) give?"
    assert len(loads) == 2


def test_missing_quiz_file_says_where_it_looked_and_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QuizError) as raised:
        quiz("m1-len")
    message = str(raised.value)
    assert f"looked for {tmp_path / 'quizzes.yml'}" in message
    assert f"the kernel's working directory is {tmp_path}" in message
    assert 'quiz("<id>", file="../quizzes.yml")' in message
    with pytest.raises(QuizError, match=r"looked for .*other\.yml.*fix the path in file="):
        quiz("m1-len", file="other.yml")


def test_unknown_quiz_id_suggests_the_closest(course_dir: Path) -> None:
    with pytest.raises(QuizError, match=r"a-lens: no such question; did you mean 'a-len'\?"):
        quiz("a-lens")
