"""Grade files of a really graded class: nbgrader's columns, Canvas and Moodle, exact scores."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from course.cli.app import main
from course.grading.export import export
from course.layout import gradebook_path
from course.record.gradebook import read_gradebook
from course.record.roster_import import read_export
from tests.export.conftest import ROSTER, SUBMITTED

pytestmark = pytest.mark.slow


def rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def dicts(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def gradebook_scores(course):
    """learner -> (score, max) as the class record reads nbgrader's gradebook (another reader)."""
    grades = read_gradebook(gradebook_path(course))
    return {s.learner: (s.score, s.max_score) for s in grades.submissions if s.assignment == "ps1"}


def test_the_class_was_really_graded_with_different_scores(graded_class):
    scores = gradebook_scores(graded_class.course)
    assert set(scores) == set(SUBMITTED)
    assert scores["ada"][0] < scores["grace"][0] == scores["jorg"][0]
    assert len({score for score, _ in scores.values()}) >= 3


def test_long_csv_is_nbgrader_exports_own(graded_class, tmp_path):
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    course = graded_class.course
    (written,) = export(course, tmp_path, formats=["long"])
    theirs = tmp_path / "nbgrader.csv"
    with Gradebook(f"sqlite:///{gradebook_path(course)}", course_id=course.id) as gradebook:
        CsvExportPlugin(to=str(theirs)).export(gradebook)

    ours = rows(written.path)
    # nbgrader writes fields unquoted; a name with a comma (sam's) breaks its row apart
    expected = [row for row in rows(theirs) if len(row) == 11]
    assert ours[0] == expected[0]
    assert len(expected) == len(ours) - 1
    assert sorted(ours[1:]) == sorted([*expected[1:], _sams_row(ours)])
    assert written.rows == len(ROSTER)


def _sams_row(ours):
    (row,) = [row for row in ours if row[3] == "sam"]
    assert row[4] == "Lee, Jr."
    return row


def test_every_score_reads_back_exactly_from_every_file(graded_class, tmp_path):
    course = graded_class.course
    export(course, tmp_path, moodle_id="email")
    scores = gradebook_scores(course)

    long = {row["student_id"]: row for row in dicts(tmp_path / "grades-long.csv")}
    wide = {row["student_id"]: row for row in dicts(tmp_path / "grades-wide.csv")}
    canvas = {row["SIS Login ID"]: row for row in dicts(tmp_path / "canvas-grades.csv")[1:]}
    moodle = {row["Email address"]: row for row in dicts(tmp_path / "moodle-grades.csv")}
    email = {learner.id: learner.email for learner in ROSTER}
    for learner, (score, max_score) in scores.items():
        assert float(long[learner]["raw_score"]) == score
        assert float(long[learner]["score"]) == score
        assert float(long[learner]["max_score"]) == max_score
        assert float(wide[learner]["ps1"]) == score
        assert float(moodle[email[learner]]["ps1"]) == score
        if learner != "alan":
            assert float(canvas[learner]["ps1"]) == score
    assert long["nobody"]["score"] == "0.0" and wide["nobody"]["ps1"] == ""
    assert canvas["nobody"]["ps1"] == "" and moodle["no@example.org"]["ps1"] == ""


def test_wide_csv_has_a_column_per_graded_cell_on_request(graded_class, tmp_path):
    (written,) = export(graded_class.course, tmp_path, formats=["wide"], questions=True)
    wide = {row["student_id"]: row for row in dicts(written.path)}
    tests = read_gradebook(gradebook_path(graded_class.course)).tests
    assert tests
    for test in tests:
        assert float(wide[test.learner][f"ps1:{test.test}"]) == test.score
    header = rows(written.path)[0]
    assert header[:6] == ["student_id", "first_name", "last_name", "email", "section", "ps1"]
    assert header[-1] == "total" and "ps1:test-fast-trips" in header


def test_canvas_file_column_by_column(graded_class, tmp_path):
    course = graded_class.course
    (written,) = export(
        course, tmp_path, formats=["canvas"], columns={"ps1": "Problem set 1 (4711)"}
    )
    table = rows(written.path)
    assert table[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Problem set 1 (4711)",
    ]
    max_score = gradebook_scores(course)["ada"][1]
    assert table[1] == ["Points Possible", "", "", "", "", repr(max_score)]
    by_id = {row[1]: row for row in table[2:]}
    assert by_id["1001"][:5] == ["Lovelace, Ada", "1001", "", "ada", "A"]
    assert by_id["1003"][:5] == ["Müller, Jörg", "1003", "", "jorg", "A"]
    assert by_id["1005"][0] == "Lee, Jr., Sam"
    assert set(by_id) == {"1001", "1002", "1003", "1005", "1006"}
    assert written.left_out == ["alan: no LMS id (Canvas user id) in the roster"]
    # Canvas's export is what the import reads; the kit's roster import of a Canvas
    # export reads this file back as the same learners with the same Canvas ids
    kind, entries, skipped = read_export(written.path)
    assert kind == "canvas" and skipped == ["line 2: Canvas's Points Possible row"]
    assert {(e.learner.id, e.learner.lms_id, e.learner.section) for e in entries} == {
        (le.id, le.lms_id, le.section) for le in ROSTER if le.lms_id
    }


def test_moodle_file_column_by_column(graded_class, tmp_path):
    course = graded_class.course
    (written,) = export(
        course, tmp_path, formats=["moodle"], columns={"ps1": "Assignment: Problem set 1"}
    )
    table = rows(written.path)
    assert table[0] == ["First name", "Last name", "ID number", "Assignment: Problem set 1"]
    by_id = {row[2]: row for row in table[1:]}
    assert by_id["1001"][:3] == ["Ada", "Lovelace", "1001"]
    assert float(by_id["1001"][3]) == gradebook_scores(course)["ada"][0]
    assert written.left_out == ["alan: no ID number in the roster"]
    kind, entries, _ = read_export(written.path)
    assert kind == "moodle"
    assert {e.learner.lms_id for e in entries} == {le.lms_id for le in ROSTER if le.lms_id}
    (by_username,) = export(course, tmp_path, formats=["moodle"], moodle_id="username")
    assert rows(by_username.path)[0][2] == "Username"
    assert {row[2] for row in rows(by_username.path)[1:]} == {le.id for le in ROSTER}


def test_late_penalties_follow_the_plan_and_each_learners_due_date(graded_class, tmp_path):
    course = graded_class.penalized
    export(course, tmp_path, formats=["long", "canvas"])
    scores = gradebook_scores(course)
    long = {row["student_id"]: row for row in dicts(tmp_path / "grades-long.csv")}
    canvas = {row["SIS Login ID"]: row for row in dicts(tmp_path / "canvas-grades.csv")[1:]}
    full, max_score = scores["jorg"]
    # by hand: jorg is 26 h late, two started days, 2 x 10% of the maximum
    expected = {
        "ada": 0.0,
        "grace": 0.0,  # late for the plan, not with her extension
        "jorg": 0.2 * max_score,
        "alan": 0.5 * max_score,  # ten days, capped at 50%
        "sam": 0.0,
    }
    for learner, penalty in expected.items():
        raw = scores[learner][0]
        assert float(long[learner]["raw_score"]) == raw
        assert float(long[learner]["late_submission_penalty"]) == pytest.approx(penalty)
        assert float(long[learner]["score"]) == pytest.approx(max(0.0, raw - penalty))
    assert float(canvas["jorg"]["ps1"]) == pytest.approx(full - 0.2 * max_score)


def test_the_cli_writes_every_file_and_says_who_was_left_out(graded_class, tmp_path):
    root = graded_class.course.root
    result = CliRunner().invoke(
        main,
        ["--course", str(root), "export", "--to", str(tmp_path), "--lms-column", "ps1=PS 1 (9)"],
    )
    assert result.exit_code == 0, result.output
    assert "alan: no LMS id" in result.output and "useridnumber" in result.output
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["canvas-grades.csv", "grades-long.csv", "grades-wide.csv", "moodle-grades.csv"]
    assert rows(tmp_path / "canvas-grades.csv")[0][-1] == "PS 1 (9)"
    assert (tmp_path / "grades-long.csv").stat().st_mode & 0o077 == 0
    bad = CliRunner().invoke(main, ["--course", str(root), "export", "--lms-column", "ps1"])
    assert bad.exit_code == 2 and "ASSIGNMENT=HEADING" in bad.output
    unknown = CliRunner().invoke(main, ["--course", str(root), "export", "--assignment", "ps9"])
    assert unknown.exit_code == 1 and "ps9: not an assignment" in unknown.output
