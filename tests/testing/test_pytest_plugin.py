"""The fixtures course authors reuse work on the course under test (here, the sample course)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course.layout import autograded_folder, gradebook_path, release_folder
from course.plan import Course
from course.testing import CourseServer
from course.testing.pytest_plugin import Graded
from tests.sample import REPO


def test_course_root_is_the_course_of_the_checkout(course_root: Path) -> None:
    assert course_root == REPO


def test_course_copy_holds_the_plan_and_its_files_but_no_data(course_copy: Course) -> None:
    assert course_copy.root != REPO
    for relative in course_copy.referenced_files():
        assert (course_copy.root / relative).is_file(), relative
    assert not course_copy.data_path.exists()
    assert not (course_copy.root / "course").exists()  # the kit's package is not course content


def test_course_built_has_student_versions_without_solutions(course_built: Course) -> None:
    released = sorted(release_folder(course_built, "ps1").glob("*.ipynb"))
    assert released
    text = "".join(path.read_text() for path in released)
    assert "BEGIN SOLUTION" not in text
    assert gradebook_path(course_built).is_file()


@pytest.mark.slow
def test_course_graded_scores_the_unanswered_student_version_below_full(
    course_graded: Graded,
) -> None:
    assert course_graded.max_score > 0
    assert 0 <= course_graded.score < course_graded.max_score
    folder = autograded_folder(course_graded.course, course_graded.student, "ps1")
    notebook = nbformat.read(next(folder.glob("*.ipynb")), as_version=4)
    assert any(cell.get("outputs") for cell in notebook.cells)


def test_course_server_answers_the_instructor_and_refuses_strangers(
    course_server: CourseServer,
) -> None:
    with course_server.instructor() as instructor:
        assert instructor.get("/course/api/live/modules").status_code == 200
    with course_server.anonymous() as stranger:
        assert stranger.get("/course/api/live/modules").status_code == 403
