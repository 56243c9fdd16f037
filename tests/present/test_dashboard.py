"""The dashboard's numbers on a four-learner class, each value worked out by hand below.

ps1 has 14 points (tests 2+1+2+3+4, one manually graded answer of 2); ps2 has 15
(tests 3+3+4+3, answer 2). Mastery is 0.8 for m1 and m2.

- ana: checks m1-a (pass, 1.0) and m1-b (0.5); ps1 14/14 = 1.0; ps2 12/15 = 0.8
  (no points on test-rain-effect).
- ben: checks m1-a 0.4 then 1.0 (pass) and m1-b 0.7: practice share (1.0 + 0.7) / 2 = 0.85;
  no submission.
- cleo: ps1 2/14 (only test-average-speed-values); no checks.
- dan: in the gradebook, nothing done.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from course.plan import Course
from course.present import (
    funnel,
    hardest_tests,
    histogram,
    next_session,
    not_ready,
    score_distributions,
)
from course.present.synthetic import SyntheticLearner, random_class, write_class
from course.record import ClassRecord, load_class

PS1_FULL = {
    "test-average-speed-values": 2,
    "test-average-speed-invalid-minutes": 1,
    "test-speeds-kmh": 2,
    "test-fast-trips": 3,
    "test-trip-summary-partial": 4,
    "loop-vs-comprehension": 2,
}
PS2_ANA = {
    "test-rainy-days": 3,
    "test-station-days": 3,
    "test-weekday-means-partial": 4,
    "test-rain-effect": 0,
    "rain-effect-interpretation": 2,
}
CLASS = [
    SyntheticLearner(
        "ana",
        checks=[("m1", "m1-a", True, 1.0), ("m1", "m1-b", False, 0.5)],
        grades={"ps1": PS1_FULL, "ps2": PS2_ANA},
    ),
    SyntheticLearner(
        "ben",
        checks=[("m1", "m1-a", False, 0.4), ("m1", "m1-a", True, 1.0), ("m1", "m1-b", False, 0.7)],
    ),
    SyntheticLearner("cleo", grades={"ps1": {"test-average-speed-values": 2}}),
    SyntheticLearner("dan"),
]


@pytest.fixture
def record(course: Course) -> ClassRecord:
    write_class(course, CLASS)
    return load_class(course)


def test_funnel_counts_learners_per_module(course: Course, record: ClassRecord) -> None:
    rows = {row.module: row for row in funnel(course, record)}
    assert record.learners == {"ana", "ben", "cleo", "dan"}
    m1, m2, m3 = rows["m1"], rows["m2"], rows["m3"]
    assert (m1.learners, m1.started, m1.checked, m1.passed, m1.mastery) == (4, 3, 2, 2, 2)
    assert (m2.started, m2.checked, m2.passed, m2.mastery) == (1, 0, 0, 1)
    assert (m3.started, m3.checked, m3.passed, m3.mastery) == (0, 0, 0, 0)


def test_score_distributions_are_shares_of_the_maximum(course: Course, record: ClassRecord) -> None:
    shares = score_distributions(course, record)
    assert shares["ps1"] == pytest.approx([2 / 14, 1.0])
    assert shares["ps2"] == pytest.approx([0.8])
    assert shares["ps3"] == []
    assert histogram(shares["ps1"]) == [1, 0, 0, 0, 1]
    assert histogram(shares["ps2"]) == [0, 0, 0, 0, 1]


def test_hardest_tests_come_first_and_answers_are_not_tests(record: ClassRecord) -> None:
    ranked = [(t.assignment, t.test, t.submissions, t.passed) for t in hardest_tests(record, None)]
    assert ranked[:5] == [
        ("ps2", "test-rain-effect", 1, 0),
        ("ps1", "test-average-speed-invalid-minutes", 2, 1),
        ("ps1", "test-fast-trips", 2, 1),
        ("ps1", "test-speeds-kmh", 2, 1),
        ("ps1", "test-trip-summary-partial", 2, 1),
    ]
    assert ranked[5] == ("ps1", "test-average-speed-values", 2, 2)
    assert len(ranked) == 9  # 5 tests of ps1 and 4 of ps2; the two answers are left out
    assert len(hardest_tests(record, limit=3)) == 3


def test_not_ready_lists_learners_below_mastery_in_a_prerequisite(
    course: Course, record: ClassRecord
) -> None:
    found = {r.learner: r for r in not_ready(course, record, "m2")}
    assert sorted(found) == ["ben", "cleo", "dan"]  # ana: m1 1.0, m2 0.8
    assert found["ben"].below == ["m2"]
    assert found["ben"].shares["m1"] == pytest.approx(0.85)
    assert found["cleo"].below == ["m2", "m1"]
    assert found["cleo"].shares["m1"] == pytest.approx(2 / 14)


def test_next_session_is_the_first_live_session_ahead(course: Course) -> None:
    assert next_session(course, datetime(2027, 1, 20, 12)).id == "m2"
    assert next_session(course, datetime(2027, 1, 1)).id == "m1"
    assert next_session(course, datetime(2027, 3, 1)) is None


def test_an_empty_course_shows_zeros(course: Course) -> None:
    record = load_class(course)
    assert record.learners == set()
    assert all(row.started == row.mastery == 0 for row in funnel(course, record))
    assert score_distributions(course, record) == {"ps1": [], "ps2": [], "ps3": []}
    assert hardest_tests(record) == [] and not_ready(course, record, "m3") == []


def test_writing_the_same_random_class_twice_changes_nothing(course: Course) -> None:
    learners = random_class(course, size=12, seed=3)
    write_class(course, learners)
    first = load_class(course)
    write_class(course, learners)
    second = load_class(course)
    assert len(first.learners) == 12
    assert (len(second.events), len(second.submissions)) == (
        len(first.events),
        len(first.submissions),
    )
