"""Releasing student versions through nbgrader, on a one-exercise course in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from alembic.script import ScriptDirectory
from nbgrader.api import Gradebook
from nbgrader.dbutil import ALEMBIC_DIR
from sqlalchemy import create_engine, text

from course.errors import CourseError
from course.layout import gradebook_path
from course.plan import load_course
from course.publish.release import ReleaseError, release, student_version

COURSE = Path(__file__).resolve().parent / "files" / "course"
SOURCE = Path("exercises/hello/squares.ipynb")


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """The test course under git, with var/ ignored as in a real course."""
    target = tmp_path / "course"
    shutil.copytree(COURSE, target)
    (target / ".gitignore").write_text("var/\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "."], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "course"], cwd=target, check=True)
    return target


def _git_status(folder: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--ignored=no"],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _edit_source(course_dir: Path, index: int, source: str) -> None:
    nb = nbformat.read(course_dir / SOURCE, as_version=4)
    nb.cells[index].source = source
    nbformat.write(nb, course_dir / SOURCE)


def test_release_writes_the_student_version_under_var(course_dir: Path) -> None:
    course = load_course(course_dir)

    released = release(course)

    assert released == [course_dir / "var" / "release" / "hello" / "squares.ipynb"]
    assert (course_dir / "var/release/hello/numbers.txt").read_text() == "1 2 3 4\n"
    nb = nbformat.read(released[0], as_version=4)
    code = "\n".join(cell.source for cell in nb.cells)
    assert "raise NotImplementedError()" in code
    assert "i * i" not in code, "the solution must be stripped"
    assert "squares(0)" not in code, "hidden tests must be removed"
    assert "assert squares(3) == [0, 1, 4]" in code, "visible tests stay"
    assert all("checksum" in c.metadata.nbgrader for c in nb.cells if c.metadata.get("nbgrader"))


def test_release_leaves_the_working_tree_clean(course_dir: Path) -> None:
    release(load_course(course_dir))

    assert _git_status(course_dir) == ""
    leftovers = {"nbgrader_config.py", "gradebook.db", ".ipynb_checkpoints", "release"}
    assert not leftovers & {p.name for p in course_dir.iterdir()}
    assert not list((course_dir / "exercises").rglob(".ipynb_checkpoints"))


def test_release_registers_the_assignment_in_a_stamped_gradebook(course_dir: Path) -> None:
    course = load_course(course_dir)

    release(course, "hello")

    with Gradebook(f"sqlite:///{gradebook_path(course)}", course.id) as gradebook:
        assignment = gradebook.find_assignment("hello")
        assert [nb.name for nb in assignment.notebooks] == ["squares"]
        grade_ids = {cell.name for cell in assignment.notebooks[0].grade_cells}
        assert grade_ids == {"test_squares", "test_evens", "why_comprehension"}
        assert assignment.max_score == 5
        # course.yml says 2027-01-17T23:59 in Europe/Berlin; nbgrader keeps naive UTC
        assert assignment.duedate == datetime(2027, 1, 17, 22, 59)
    engine = create_engine(f"sqlite:///{gradebook_path(course)}")
    with engine.connect() as connection:
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert stamped == ScriptDirectory(ALEMBIC_DIR).get_current_head()  # what `alembic heads` says


@pytest.mark.slow
def test_release_works_without_the_venv_on_path(course_dir: Path) -> None:
    """nbgrader would run `alembic` from PATH to create the gradebook; the kit must not need it."""
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    env.pop("VIRTUAL_ENV", None)
    assert shutil.which("alembic", path=env["PATH"]) is None, "precondition: no alembic on PATH"
    script = textwrap.dedent(
        f"""
        from course.publish.release import release
        from course.plan import load_course
        print(release(load_course({str(course_dir)!r}))[0])
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("var/release/hello/squares.ipynb")
    assert (course_dir / "var" / "gradebook.db").is_file()


def test_release_again_follows_the_edited_source(course_dir: Path) -> None:
    course = load_course(course_dir)
    release(course)
    _edit_source(course_dir, 2, "assert squares(4) == [0, 1, 4, 9]")

    released = release(course)

    nb = nbformat.read(released[0], as_version=4)
    assert nb.cells[2].source == "assert squares(4) == [0, 1, 4, 9]"


def test_student_version_in_memory_matches_the_released_file(course_dir: Path) -> None:
    course = load_course(course_dir)
    released = release(course)

    in_memory = student_version(course, "hello", course_dir / SOURCE)

    assert in_memory == nbformat.read(released[0], as_version=4)


def test_unknown_assignment_names_the_known_ones(course_dir: Path) -> None:
    with pytest.raises(ReleaseError, match=r"'nope': not an exercise .* lists: hello"):
        release(load_course(course_dir), "nope")


def test_notebook_that_is_not_json_is_named(course_dir: Path) -> None:
    course = load_course(course_dir)
    (course_dir / SOURCE).write_text("{ this is not json")

    with pytest.raises(CourseError) as caught:
        release(course)

    assert str(caught.value).startswith("exercises/hello/squares.ipynb: not a readable notebook")
    assert caught.value.assignment == "hello"
    assert not (course_dir / "var" / "release" / "hello").exists()


def test_duplicate_grade_id_is_named(course_dir: Path) -> None:
    course = load_course(course_dir)
    nb = nbformat.read(course_dir / SOURCE, as_version=4)
    nb.cells[4].metadata.nbgrader.grade_id = "test_squares"
    nbformat.write(nb, course_dir / SOURCE)

    with pytest.raises(ReleaseError) as caught:
        release(course)

    assert str(caught.value) == (
        "exercises/hello/squares.ipynb: invalid nbgrader metadata: Duplicate grade id: test_squares"
    )
    assert caught.value.notebook == "exercises/hello/squares.ipynb"


def test_unclosed_solution_region_is_named_with_nbgraders_reason(course_dir: Path) -> None:
    course = load_course(course_dir)
    release(course)  # a good release first: a failed one must not leave it half-replaced
    _edit_source(course_dir, 1, "def squares(n):\n    ### BEGIN SOLUTION\n    return []\n")

    with pytest.raises(ReleaseError) as caught:
        release(course)

    assert str(caught.value) == ("exercises/hello/squares.ipynb: no end solution statement found")
    assert not (course_dir / "var" / "release" / "hello").exists()


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission
def test_changing_notebooks_after_submissions_is_refused_with_nbgraders_reason(
    course_dir: Path,
) -> None:
    course = load_course(course_dir)
    release(course)
    with Gradebook(f"sqlite:///{gradebook_path(course)}", course.id) as gradebook:
        gradebook.add_student("alice")
        gradebook.add_submission("hello", "alice")
    shutil.copy(course_dir / SOURCE, course_dir / "exercises/hello/extra.ipynb")
    (course_dir / SOURCE).unlink()

    with pytest.raises(ReleaseError) as caught:
        release(course)

    assert str(caught.value).startswith("assignment 'hello': Cannot modify existing assignment")
    assert "because there are submissions associated with it" in str(caught.value)
