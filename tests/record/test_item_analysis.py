"""Item statistics of a six-learner class, every value worked out by hand below.

Assignment ps1 (10 points in all); three autograded tests, t1 (2 points), t2 (3), t3 (1).

    learner  total  t1      t2         t3   errors raised
    a        10     2 pass  3 pass     0    t3 TypeError
    b         8     2 pass  1.5        0    t3 TypeError (t2: partial credit, no error)
    c         6     2 pass  3 pass     0    t3 AssertionError
    d         5     2 pass  0          1    t2 AssertionError
    e         3     2 pass  0          1    t2 AssertionError
    f         1     0       0          1    t1 NameError, t2 NameError

Ranked by total: a b c d e f. N = 6, n = round(0.27 × 6) = round(1.62) = 2:
upper group {a, b}, lower group {e, f}.

- t1: passed a b c d e = 5/6. Upper 2/2 = 1, lower 1/2 = 0.5 (e yes, f no): D = 0.5.
  Mean points (5 × 2 + 0) / 6 = 10/6. Failing: f, NameError 1.
- t2: passed a c = 2/6. Upper 1/2 (a), lower 0/2: D = 0.5.
  Mean (3 + 1.5 + 3) / 6 = 1.25. Failing b d e f: AssertionError 2 (d, e), NameError 1 (f);
  b raised nothing.
- t3: passed d e f = 3/6. Upper 0/2, lower 2/2: D = 0 − 1 = −1.
  Mean 3/6 = 0.5. Failing a b c: TypeError 2, AssertionError 1.

Weakest by share passed: t2 (2/6), t3 (3/6), t1 (5/6).
"""

from __future__ import annotations

import pytest

from course.present import hardest_tests
from course.record import ClassRecord, Submission, TestError, TestScore, item_stats
from course.record.items import discrimination

POINTS = {"t1": 2.0, "t2": 3.0, "t3": 1.0}
SCORES = {  # learner: (total, t1, t2, t3)
    "a": (10, 2, 3, 0),
    "b": (8, 2, 1.5, 0),
    "c": (6, 2, 3, 0),
    "d": (5, 2, 0, 1),
    "e": (3, 2, 0, 1),
    "f": (1, 0, 0, 1),
}
RAISED = [
    ("a", "t3", "TypeError"),
    ("b", "t3", "TypeError"),
    ("c", "t3", "AssertionError"),
    ("d", "t2", "AssertionError"),
    ("e", "t2", "AssertionError"),
    ("f", "t1", "NameError"),
    ("f", "t2", "NameError"),
]


@pytest.fixture
def record() -> ClassRecord:
    tests = tuple(
        TestScore(learner, "ps1", test, float(points), POINTS[test])
        for learner, (_total, *scores) in SCORES.items()
        for test, points in zip(("t1", "t2", "t3"), scores, strict=True)
    )
    submissions = tuple(
        Submission(learner, "ps1", float(total), 10.0) for learner, (total, *_) in SCORES.items()
    )
    errors = tuple(TestError(learner, "ps1", test, error) for learner, test, error in RAISED)
    return ClassRecord(frozenset(SCORES), (), submissions, tests, errors)


def test_item_statistics_match_the_hand_computed_values(record: ClassRecord) -> None:
    t1, t2, t3 = item_stats(record)

    assert (t1.test, t1.submissions, t1.passed, t1.max_score) == ("t1", 6, 5, 2.0)
    assert t1.share == pytest.approx(5 / 6)
    assert t1.mean_score == pytest.approx(10 / 6)
    assert t1.discrimination == pytest.approx(0.5)
    assert t1.errors == (("NameError", 1),)

    assert (t2.submissions, t2.passed) == (6, 2)
    assert t2.mean_score == pytest.approx(1.25)
    assert t2.discrimination == pytest.approx(0.5)
    assert t2.errors == (("AssertionError", 2), ("NameError", 1))
    assert t2.common_error == "AssertionError"

    assert t3.passed == 3
    assert t3.discrimination == pytest.approx(-1.0)
    assert t3.errors == (("TypeError", 2), ("AssertionError", 1))


def test_the_dashboard_reads_the_same_numbers(record: ClassRecord) -> None:
    # hardest first: t2 (2/6), t3 (3/6), t1 (5/6), each the very ItemStat of item_stats
    stats = {s.test: s for s in item_stats(record)}
    assert hardest_tests(record, None) == [stats["t2"], stats["t3"], stats["t1"]]


def test_discrimination_needs_two_learners_and_uses_27_percent_groups() -> None:
    assert discrimination([(5.0, "a", True)]) is None
    # N = 3: n = round(0.81) = 1; upper {a}, lower {c}
    assert discrimination([(9.0, "a", True), (5.0, "b", False), (1.0, "c", False)]) == 1.0
    # N = 10: n = round(2.7) = 3; upper a b c pass 2 of 3, lower h i j pass 1 of 3
    results = [
        (10.0, "a", True),
        (9.0, "b", True),
        (8.0, "c", False),
        (7.0, "d", True),
        (6.0, "e", True),
        (5.0, "f", False),
        (4.0, "g", False),
        (3.0, "h", True),
        (2.0, "i", False),
        (1.0, "j", False),
    ]
    assert discrimination(results) == pytest.approx(2 / 3 - 1 / 3)
    # equal totals: ranked by learner id, so a (pass) is upper and b (fail) lower
    assert discrimination([(5.0, "b", False), (5.0, "a", True)]) == 1.0


def test_an_empty_record_has_no_items() -> None:
    assert item_stats(ClassRecord(frozenset())) == []


def test_error_types_are_read_from_graded_notebooks_unless_not_wanted(course_copy) -> None:
    """``load_class`` reads each graded test cell's error type; ``errors=False`` skips it."""
    import json

    from course.layout import autograded_folder
    from course.record import load_class

    folder = autograded_folder(course_copy, "ana", "ps1")
    folder.mkdir(parents=True)
    cells = [
        {"cell_type": "code", "source": "", "metadata": {"nbgrader": meta}, "outputs": outs}
        for meta, outs in [
            (
                {"grade": True, "solution": False, "grade_id": "t1"},
                [
                    {"output_type": "stream", "text": "x"},
                    {"output_type": "error", "ename": "KeyError", "evalue": "", "traceback": []},
                ],
            ),
            (
                {"grade": True, "solution": True, "grade_id": "answer"},  # an answer, not a test
                [{"output_type": "error", "ename": "NameError", "evalue": "", "traceback": []}],
            ),
            ({"grade": True, "solution": False, "grade_id": "t2"}, []),
        ]
    ]
    (folder / "ps1.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}}))
    (folder.parent.parent / "bob" / "ps1").mkdir(parents=True)
    (folder.parent.parent / "bob" / "ps1" / "ps1.ipynb").write_text("{not json")

    assert load_class(course_copy).errors == (TestError("ana", "ps1", "t1", "KeyError"),)
    assert load_class(course_copy, errors=False).errors == ()
