"""The plan model: durations, time zones and the sample course itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from course.plan import load_course
from course.plan.model import parse_duration

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("40min", 40), ("2h", 120), ("1h30min", 90), ("1 h 15 min", 75), ("90 minutes", 90), (45, 45)],
)
def test_durations_read_as_people_write_them(text: str | int, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0min", "forty", "1.5h", "-3min", True])
def test_nonsense_durations_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_plan_times_are_wall_clock_times_in_the_course_zone(mini_course: Path) -> None:
    course = load_course(mini_course)
    due = course.localize(course.modules[0].exercise.due)
    assert due.utcoffset() == timedelta(hours=1)  # Berlin in March 2027, before summer time
    assert (due.hour, due.minute) == (23, 59)


def test_course_is_found_from_a_subfolder(mini_course: Path) -> None:
    sub = mini_course / "exercises" / "hw1"
    assert load_course(sub).root == mini_course.resolve()


def test_sample_course_plan_is_valid() -> None:
    course = load_course(REPO)
    assert [m.id for m in course.modules] == ["m1", "m2", "m3"]
    assert course.model == "flipped-classroom"
    assert course.assignments() == ["ps1", "ps2", "ps3"]
