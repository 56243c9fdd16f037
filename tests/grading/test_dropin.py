"""``course grade`` in a plain nbgrader course, side by side with ``nbgrader autograde``."""

from __future__ import annotations

import shutil

import pytest

from tests.grading import nbgrader_course as nc

pytestmark = pytest.mark.slow

ON_TIME = "2015-02-02 14:00:00.000000 America/Los_Angeles"
LATE = "2015-02-02 15:58:23.948203 America/Los_Angeles"
ARGS = ("ps1", "--CourseDirectory.student_id_exclude=excluded", "--Execute.timeout=10")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("dropin")
    course = nc.make(base / "pristine")
    nc.submit(course, "foo", "submitted-unchanged.ipynb", ON_TIME)
    nc.submit(course, "bar", "submitted-changed.ipynb", LATE)
    nc.submit(course, "qux", "submitted-changed.ipynb", "not a date")
    nc.submit(course, "excluded", "submitted-changed.ipynb")
    copies = {}
    for grader in ("nbgrader", "course"):
        copies[grader] = base / grader
        shutil.copytree(course, copies[grader])
        config = copies[grader] / "nbgrader_config.py"
        config.write_text(config.read_text().replace(str(course), str(copies[grader])))
    nbgrader = nc.run(copies["nbgrader"], "nbgrader", "autograde", *ARGS, check=False)
    kit = nc.run(copies["course"], "course", "grade", *ARGS, check=False)
    return copies, nbgrader, kit


def _db(folder):
    return f"sqlite:///{folder}/gradebook.db"


def test_exit_status_is_nbgraders_when_a_submission_fails(both):
    _, nbgrader, kit = both
    assert nbgrader.returncode == kit.returncode == 1, kit.stdout + kit.stderr
    assert "qux" in kit.stdout and "'not a date' is not a date" in kit.stdout
    assert "differs from nbgrader autograde on purpose: notebooks run in a sandbox" in kit.stdout


def test_gradebook_rows_are_nbgraders(both):
    copies, *_ = both
    kit, reference = (nc.gradebook_rows(_db(copies[g])) for g in ("course", "nbgrader"))
    assert reference["grades"], "nbgrader graded nothing: the comparison would be empty"
    # nbgrader creates the student row before it fails on the timestamp; the kit writes
    # nothing for a submission it fails on (README: deliberate differences)
    reference["students"].remove("qux")
    assert kit == reference
    late = {row[0]: row[3] for row in kit["submissions"]}
    assert late["bar"] > 0 and late["foo"] == 0


def test_autograded_files_and_permissions_are_nbgraders(both):
    copies, *_ = both
    kit = nc.autograded_files(copies["course"])
    assert kit == nc.autograded_files(copies["nbgrader"])
    assert kit["foo/ps1/p1.ipynb"] == kit["foo/ps1/data.txt"] == "0o444"
    assert not any(path.startswith(("qux", "excluded")) for path in kit)


def test_rerun_skips_what_is_graded_and_force_regrades(both):
    copies, *_ = both
    again = nc.run(copies["course"], "course", "grade", "ps1", "--student", "foo")
    assert "graded 0, already graded 1" in again.stdout
    forced = nc.run(copies["course"], "course", "grade", "ps1", "--student", "foo", "-f")
    assert "graded 1, already graded 0" in forced.stdout


def test_a_setting_that_is_not_nbgraders_is_refused_with_its_name(both):
    copies, *_ = both
    done = nc.run(copies["course"], "course", "grade", "ps1", "--bogus", check=False)
    assert done.returncode == 1
    assert "unknown option(s) --bogus" in done.stderr
