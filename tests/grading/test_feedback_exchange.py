"""Feedback through nbgrader's exchange, end to end with nbgrader's own exchange classes.

The instructor releases ps1 to the exchange; a learner fetches it, answers and submits
it (nbgrader writes the submission secret); the instructor runs ``course collect``
(which keeps the secret), grades with the kit and runs ``course feedback``; the
learner's ``fetch_feedback`` finds the page, which says how the hidden tests went and
shows none of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from course.grading import grade
from course.grading.collect import collect
from course.grading.feedback import feedback
from course.layout import nbgrader_config
from course.plan import Course, load_course
from course.publish import build
from course.record.roster import Learner, Roster, save_roster
from course.testing import copy_course
from tests.grading.graded_class import ASSIGNMENT, hidden_lines, solutions
from tests.grading.test_feedback import leaks

pytestmark = pytest.mark.slow
LEARNER = "lena"


def _config(course: Course, cache: Path, learner: str | None = None) -> Any:
    config = nbgrader_config(course)
    config.Exchange.cache = str(cache)  # nbgrader's learner-side cache, out of $HOME
    if learner:
        config.CourseDirectory.student_id = learner
    return config


def _run(exchange_class: type, config: Any, assignment: str, learner: str = "*") -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    if learner != "*" or not coursedir.student_id:
        coursedir.student_id = learner
    exchange_class(
        coursedir=coursedir, authenticator=Authenticator(config=config), config=config
    ).start()


def test_learner_fetches_redacted_feedback_from_the_exchange(
    course_root: Path, tmp_path: Path
) -> None:
    from nbgrader.exchange.default import (
        ExchangeFetchAssignment,
        ExchangeFetchFeedback,
        ExchangeReleaseAssignment,
        ExchangeSubmit,
    )

    course = load_course(copy_course(course_root, tmp_path / "course"))
    save_roster(course, Roster([Learner(LEARNER, "Lena", "Meyer", "lena@example.org")]))
    build(course)
    cache = tmp_path / "cache"
    instructor = _config(course, cache)
    learner = _config(course, cache, LEARNER)

    _run(ExchangeReleaseAssignment, instructor, ASSIGNMENT)
    _run(ExchangeFetchAssignment, learner, ASSIGNMENT, LEARNER)
    fetched = course.root / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    answers = solutions(course.exercise_folder(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb")
    notebook = json.loads(fetched.read_text())
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in ("average-speed", "speeds-kmh"):
            cell["source"] = answers[grade_id]
    fetched.write_text(json.dumps(notebook))
    _run(ExchangeSubmit, learner, ASSIGNMENT, LEARNER)
    assert [t.learner for t in collect(course, ASSIGNMENT, "exchange").taken] == [LEARNER]
    (result,) = grade(course, ASSIGNMENT).results
    assert result.student == LEARNER

    report = feedback(course, ASSIGNMENT)

    (released,) = report.learners[0].released
    assert released.parent == course.data_path / "exchange" / course.id / "feedback"
    _run(ExchangeFetchFeedback, learner, ASSIGNMENT, LEARNER)
    pages = list((course.root / ASSIGNMENT / "feedback").glob("*/ps1.html"))
    assert len(pages) == 1, "nbgrader's fetch_feedback found no page"
    assert pages[0].read_bytes() == released.read_bytes()
    text = pages[0].read_text()
    assert text.count("# Hidden tests: passed") == 3  # both average_speed tests, speeds_kmh
    secrets = [
        line
        for line in hidden_lines(
            course.exercise_folder(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb",
            course.data_path / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        )
        if len(line) >= 6
    ]
    assert leaks(pages[0].parent, secrets) == []
