"""A learner's workspace: their own copies, their own view of the plan, and no way for a
link the learner planted to make the server write outside it."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from course.layout import release_folder
from course.plan import Course, load_course
from course.record.roster import Learner
from course.workspace.files import UnsafePath
from course.workspace.workspace import prepare_workspace, write_credential
from tests.sample import copy_sample_course

ADA = Learner("ada", "Ada", "Lovelace", extensions={"ps1": 2 * 24 * 60})


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample course after ``course build``, made once for the module (a build takes 30 s)."""
    from course.publish import build

    root = copy_sample_course(tmp_path_factory.mktemp("built") / "course")
    build(load_course(root))
    return root


@pytest.fixture
def course_built(built_once: Path, tmp_path: Path) -> Course:
    """A fresh copy of the built course, release included."""
    return load_course(shutil.copytree(built_once, tmp_path / "course", symlinks=True))


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and "var" not in p.relative_to(folder).parts
    }


def test_the_workspace_holds_lessons_their_files_and_released_exercises(
    course_built: Course,
) -> None:
    workspace = prepare_workspace(course_built, ADA)
    files = tree(workspace.folder)
    assert {
        "course.yml",
        "notebooks/01-foundations.ipynb",
        "notebooks/02-pandas.ipynb",
        "notebooks/03-visualising.ipynb",
        "notebooks/quizzes.yml",
        "notebooks/data/bike_counts.csv",
        "exercises/ps1/ps1.ipynb",
        "exercises/ps2/bike_counts.csv",
    } <= files
    leaks = [
        f for f in files if f.startswith(("notebooks/polls", "notebooks/live", "notebooks/apps"))
    ]
    assert leaks == [] and "notebooks/instructor/dashboard.ipynb" not in files
    released = release_folder(course_built, "ps1") / "ps1.ipynb"
    assert (workspace.folder / "exercises/ps1/ps1.ipynb").read_bytes() == released.read_bytes()
    assert workspace.folder == course_built.data_path / "workspaces" / "ada"


def test_the_learners_plan_loads_without_live_files_and_with_their_extension(
    course_built: Course,
) -> None:
    workspace = prepare_workspace(course_built, ADA)
    plan = load_course(workspace.folder)
    module = plan.module("m1")
    assert module.live.polls is None and module.live.group_notebook is None
    assert plan.localize(module.exercise.due) == datetime(2027, 1, 19, 23, 59, tzinfo=plan.tz)
    grace = prepare_workspace(course_built, Learner("grace"))
    assert load_course(grace.folder).module("m1").exercise.due == datetime(2027, 1, 17, 23, 59)


def test_an_exercise_not_released_yet_is_not_in_the_learners_plan(course_copy: Course) -> None:
    workspace = prepare_workspace(course_copy, ADA)
    plan = load_course(workspace.folder)
    assert [m.exercise for m in plan.modules] == [None, None, None]
    assert not (workspace.folder / "exercises").exists()


def test_the_learners_changes_stay_and_deleted_files_come_back(course_built: Course) -> None:
    first = prepare_workspace(course_built, ADA)
    lesson = first.folder / "notebooks/01-foundations.ipynb"
    lesson.write_text("my own version")
    (first.folder / "notebooks/quizzes.yml").unlink()
    again = prepare_workspace(course_built, ADA)
    assert lesson.read_text() == "my own version"
    assert again.copied == ("notebooks/quizzes.yml",)


def test_a_planted_folder_link_makes_the_server_refuse_not_write(course_built: Course) -> None:
    sources = digests(course_built.root)
    workspace = prepare_workspace(course_built, ADA).folder
    for path in (workspace / "exercises").rglob("*"):
        if path.is_file():
            path.unlink()
    for folder in sorted((workspace / "exercises").rglob("*"), reverse=True):
        folder.rmdir()
    (workspace / "exercises").rmdir()
    os.symlink(course_built.root / "exercises", workspace / "exercises")
    with pytest.raises(UnsafePath, match="exercises is not a folder"):
        prepare_workspace(course_built, ADA)
    assert digests(course_built.root) == sources


def test_a_planted_file_link_is_replaced_not_written_through(course_built: Course) -> None:
    plan = (course_built.root / "course.yml").read_bytes()
    workspace = prepare_workspace(course_built, ADA)
    (workspace.folder / "course.yml").unlink()
    os.symlink(course_built.root / "course.yml", workspace.folder / "course.yml")
    (workspace.private / "credential").symlink_to(course_built.root / "exercises/ps1/ps1.ipynb")
    source = (course_built.root / "exercises/ps1/ps1.ipynb").read_bytes()
    prepare_workspace(course_built, ADA)
    write_credential(workspace, "cev1.x.y")
    assert (course_built.root / "course.yml").read_bytes() == plan
    assert (course_built.root / "exercises/ps1/ps1.ipynb").read_bytes() == source
    assert not (workspace.folder / "course.yml").is_symlink()
    assert (workspace.private / "credential").read_text() == "cev1.x.y"
    assert (workspace.private / "credential").stat().st_mode & 0o777 == 0o600
