"""progress(): the learner's modules, results and what comes next, from plan and local events."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from course.learn import LearnError, complete, exercise, progress, quiz
from course.learn.progress import relative


def test_fresh_learner_sees_nothing_started_and_the_first_deadline(course_dir: Path) -> None:
    shown = progress(now=datetime(2027, 3, 5, 12, 0))
    assert [(m.id, m.started, m.done) for m in shown.modules] == [
        ("a", False, False),
        ("b", False, False),
    ]
    text = shown.text()
    assert "Your progress in Mini course (ada)" in text
    assert "b Second module: not started (opens Mon 08 Mar)" in text
    assert "Next deadline: exercise hw1 due (a), Sun 07 Mar 23:59, in 2 days 11 hours" in text
    assert "Next live session: live session on First module (a), Mon 08 Mar 10:00" in text


def test_results_and_completion_are_counted_per_module(course_dir: Path) -> None:
    squares = exercise("a-squares", tests=[("2 * 2", 4)])
    squares.check()
    failing = exercise("a-broken", tests=[("2 * 2", 5)])
    failing.check()
    quiz("a-len").answer("2")
    quiz("a-len").answer("3")
    quiz("a-table").answer("Series")
    quiz("b-extra", question="Q?", kind="text", correct="x").answer("x")
    complete("a")

    shown = progress(now=datetime(2027, 3, 9, 9, 0))
    a, b = shown.modules
    assert (
        a.done
        and a.exercises_passed == {"a-squares"}
        and a.exercises_tried
        == {
            "a-squares",
            "a-broken",
        }
    )
    assert a.quizzes_right == {"a-len"} and a.quizzes_answered == {"a-len", "a-table"}
    assert b.started and not b.done and b.quizzes_right == {"b-extra"}
    assert "a First module: done — exercises 1 passed of 2 tried, quizzes 1 right of 2" in (
        shown.text()
    )
    # hw1 is past: the next deadline and live session are module b's
    assert shown.next_deadline.module == "b" and shown.next_live.module == "b"
    assert shown.next_live.left == timedelta(days=6, hours=1)


def test_nothing_is_ahead_after_the_last_session(course_dir: Path) -> None:
    shown = progress(now=datetime(2027, 4, 1))
    assert shown.next_deadline is None and shown.next_live is None
    assert "Next" not in shown.text()


def test_events_from_another_course_do_not_count(course_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(course_dir, other)
    (other / "course.yml").write_text(
        (course_dir / "course.yml").read_text().replace("id: mini", "id: other", 1)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(other)
        complete("a")
    assert not progress(now=datetime(2027, 3, 5)).modules[0].done


def test_completing_an_unknown_module_names_the_valid_ones(course_dir: Path) -> None:
    with pytest.raises(LearnError, match=r"complete\('m9'\): no such module in mini; valid: a, b"):
        complete("m9")


def test_outside_a_course_progress_says_where_it_looked(
    learner: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "No course.yml in" in progress().text()


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(days=2, hours=3, minutes=5), "in 2 days 3 hours"),
        (timedelta(hours=1, minutes=1), "in 1 hour 1 minute"),
        (timedelta(minutes=40), "in 40 minutes"),
        (timedelta(seconds=20), "now"),
    ],
)
def test_time_left_reads_like_speech(left: timedelta, said: str) -> None:
    assert relative(left) == said
