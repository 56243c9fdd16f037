"""course.yml's late_penalty: validated with located messages, per exercise over the course's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from course.errors import PlanError
from course.grading.export import Score, late_penalty
from course.plan import LatePenalty, load_course

DUE = datetime(2027, 1, 17, 22, 59, tzinfo=UTC)


def with_plan(course, old, new):
    plan = course.root / "course.yml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")
    return course.root


def test_an_exercise_penalty_overrides_the_courses(course_copy):
    root = with_plan(course_copy, "modules:\n", "late_penalty: {deduct: 5%, per: hour}\nmodules:\n")
    root = with_plan(
        load_course(root),
        "      mastery: 0.8\n",
        "      mastery: 0.8\n      late_penalty: {deduct: 1, per: once}\n",
    )
    course = load_course(root)
    assert course.late_penalty_for("ps1") == LatePenalty(deduct=1.0, per="once")
    assert course.late_penalty_for("ps3") == LatePenalty(deduct=0.05, per="hour", cap=1.0)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("{deduct: 150%}", "late_penalty.deduct: '150%' is not a share of the score above 0"),
        ("{deduct: ten percent}", "late_penalty.deduct: expected a number, found 'ten percent'"),
        ("{deduct: 10%, per: week}", "late_penalty.per:"),
        ("{deduct: 10%, cap: 0}", "late_penalty.cap: 0 is not a share of the score above 0"),
        ("{deduct: 10 %%}", "late_penalty.deduct: '10 %%' is not a percentage"),
        ("{per: day}", "late_penalty.deduct: is required but missing"),
        (
            "{deduct: 10%, every: day}",
            "late_penalty.every: unknown key 'every'; valid keys here: deduct, per, cap",
        ),
    ],
)
def test_a_bad_penalty_is_named_by_line_and_field(course_copy, setting, message):
    root = with_plan(course_copy, "modules:\n", f"late_penalty: {setting}\nmodules:\n")
    with pytest.raises(PlanError) as error:
        load_course(root)
    assert f"course.yml:15: {message}" in str(error.value)


@pytest.mark.parametrize(
    ("submitted", "rule", "points"),
    [
        (datetime(2027, 1, 17, 22, 59, tzinfo=UTC), LatePenalty(deduct=0.1), 0.0),  # on time
        (datetime(2027, 1, 17, 23, 0, tzinfo=UTC), LatePenalty(deduct=0.1), 1.0),  # a minute
        (datetime(2027, 1, 19, 22, 59, tzinfo=UTC), LatePenalty(deduct=0.1), 2.0),  # two days
        (datetime(2027, 1, 19, 23, 0, tzinfo=UTC), LatePenalty(deduct=0.1), 3.0),
        (datetime(2027, 1, 18, 1, 30, tzinfo=UTC), LatePenalty(deduct=0.05, per="hour"), 1.5),
        (datetime(2027, 2, 28, tzinfo=UTC), LatePenalty(deduct=0.1, cap=0.3), 3.0),
        (datetime(2027, 2, 28, tzinfo=UTC), LatePenalty(deduct=0.25, per="once"), 2.5),
        (datetime(2027, 2, 28, tzinfo=UTC), LatePenalty(deduct=1.0), 4.0),  # never past the score
    ],
)
def test_penalty_points_by_hand(submitted, rule, points):
    score = Score(
        "ada", "ps1", submitted.replace(tzinfo=None), 4.0 if rule.deduct == 1 else 9.0, 0.0, 10.0
    )
    assert late_penalty(rule, score, DUE) == points
