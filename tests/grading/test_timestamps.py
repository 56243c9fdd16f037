"""A submission's ``timestamp.txt`` in a kit course: a bad one costs that submission only."""

from __future__ import annotations

import pytest

from course.grading import grade
from course.plan import load_course
from tests.grading import coursekit as ck

pytestmark = pytest.mark.slow


def test_a_timestamp_that_is_not_a_date_fails_only_its_submission(tmp_path):
    root = ck.make_course(tmp_path / "course")
    ck.submit(root, "good", ck.CORRECT)
    ck.submit(root, "garbled", ck.CORRECT, timestamp="next Tuesday, probably")
    report = grade(load_course(root), "ps1")
    status = {result.student: result for result in report.results}
    assert status["good"].status == "graded" and status["good"].score == 9.0
    assert status["garbled"].status == "failed"
    assert "'next Tuesday, probably' is not a date" in status["garbled"].faults[0]
    assert "timestamp.txt" in status["garbled"].faults[0]
    assert not (root / "var/autograded/garbled").exists()
    assert (root / "var/autograded/good/ps1/ps1.ipynb").exists()


def test_an_empty_timestamp_is_no_timestamp(tmp_path):
    root = ck.make_course(tmp_path / "course")
    ck.submit(root, "blank", ck.CORRECT, timestamp="")
    report = grade(load_course(root), "ps1")
    assert report.results[0].status == "graded"
