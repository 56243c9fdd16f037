"""`course roster`: import, list, edit, extend, sync to nbgrader, sign-in codes and their sheet."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from nbgrader.api import Gradebook

from course.cli import main
from course.identity.codes import digest
from course.identity.keys import course_key
from course.layout import gradebook_path
from course.plan import load_course
from course.record.roster import load_roster

FILES = Path(__file__).parent / "files"


def roster(course: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--course", str(course), "roster", *args])


@pytest.fixture
def imported(mini_course: Path) -> Path:
    result = roster(mini_course, "import", str(FILES / "plain.csv"))
    assert result.exit_code == 0, result.output
    return mini_course


def test_import_reports_and_syncs_nbgraders_students(imported: Path) -> None:
    course = load_course(imported)
    with Gradebook(f"sqlite:///{gradebook_path(course)}", course_id="mini") as gradebook:
        students = {s.id: (s.first_name, s.last_name, s.email) for s in gradebook.students}
    assert students == {
        "ada": ("Ada", "Lovelace", "ada@example.org"),
        "grace": ("Grace", "Hopper", "grace@example.org"),
        "alan": ("Alan", "Turing", None),
    }


def test_import_output_counts_what_changed(mini_course: Path) -> None:
    result = roster(mini_course, "import", str(FILES / "canvas-gradebook.csv"), "--dry-run")
    assert result.exit_code == 0
    assert "a canvas export; would add 3, updated 0, unchanged 0." in result.output
    assert "skipped line 2: Canvas's Points Possible row" in result.output
    assert not (mini_course / "var" / "roster.json").exists()


def test_a_bad_file_is_an_error_naming_the_line(mini_course: Path, tmp_path: Path) -> None:
    bad = tmp_path / "class.csv"
    bad.write_text("id,name,email\nada,Ada,\n\nbob,Bob,\n")
    result = roster(mini_course, "import", str(bad))
    assert result.exit_code == 1
    assert f"Error: the roster file has 1 problem; nothing was imported:\n  {bad}:3:" in (
        result.output
    )


def test_list_shows_every_learner(imported: Path) -> None:
    result = roster(imported, "list")
    assert result.exit_code == 0
    assert "Ada Lovelace" in result.output and "Alan Turing" in result.output
    assert "3 learners." in result.output


def test_add_edit_remove(imported: Path) -> None:
    assert roster(imported, "add", "kate", "--name", "Kate Bell", "--section", "B").exit_code == 0
    assert roster(imported, "edit", "kate", "--email", "kate@example.org").exit_code == 0
    kate = load_roster(load_course(imported)).get("kate")
    assert (kate.name, kate.email, kate.section) == ("Kate Bell", "kate@example.org", "B")
    again = roster(imported, "add", "KATE", "--name", "Other")
    assert again.exit_code == 1 and "learner 'KATE' is already in the roster" in again.output
    assert roster(imported, "remove", "kate").exit_code == 0
    assert "kate" not in load_roster(load_course(imported))
    missing = roster(imported, "edit", "gracee", "--email", "x@y.org")
    assert missing.exit_code == 1 and "did you mean grace?" in missing.output


def test_extension_moves_the_learners_due_date_and_nbgraders_submission(imported: Path) -> None:
    course = load_course(imported)
    with Gradebook(f"sqlite:///{gradebook_path(course)}", course_id="mini") as gradebook:
        gradebook.update_or_create_assignment("hw1")
        gradebook.update_or_create_submission("hw1", "ada")
    result = roster(imported, "extend", "ada", "hw1", "--days", "2")
    assert result.exit_code == 0, result.output
    assert "hw1 is due for ada on Tue 09 Mar 2027 23:59" in result.output
    assert load_roster(course).get("ada").extension("hw1") == timedelta(days=2)
    with Gradebook(f"sqlite:///{gradebook_path(course)}", course_id="mini") as gradebook:
        assert gradebook.find_submission("hw1", "ada").extension == timedelta(days=2)
    until = roster(imported, "extend", "grace", "hw2", "--until", "2027-03-15T12:00")
    assert until.exit_code == 0 and "due for grace on Mon 15 Mar 2027 12:00" in until.output
    early = roster(imported, "extend", "grace", "hw2", "--until", "2027-03-01")
    assert early.exit_code == 1 and "an extension ends later" in early.output
    unknown = roster(imported, "extend", "ada", "hw9", "--days", "1")
    assert unknown.exit_code == 1 and "'hw9' is not an exercise of mini" in unknown.output


def test_codes_print_a_sheet_and_only_digests_are_stored(imported: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.html"
    result = roster(imported, "codes", "--url", "http://10.0.0.5:8888/", "--sheet", str(sheet))
    assert result.exit_code == 0, result.output
    html = sheet.read_text()
    codes = re.findall(r'<div class="code">([A-Z0-9]{5}-[A-Z0-9]{5})</div>', html)
    assert len(codes) == 3 and len(set(codes)) == 3
    assert html.count('src="data:image/svg+xml') == 3
    assert "http://10.0.0.5:8888/course/signin" in html
    assert sheet.stat().st_mode & 0o777 == 0o600
    course = load_course(imported)
    stored = (course.data_path / "roster.json").read_text()
    assert not any(code in stored for code in codes)
    key = course_key(course, "signin-codes")
    learners = load_roster(course)
    assert [learners.for_signin(digest(key, code)).id for code in codes] == ["ada", "grace", "alan"]
    assert learners.for_signin(digest(key, codes[0].lower().replace("-", " "))).id == "ada"


def test_new_codes_for_one_learner_replace_only_theirs(imported: Path, tmp_path: Path) -> None:
    course = load_course(imported)
    roster(imported, "codes", "--url", "http://h/", "--sheet", str(tmp_path / "all.html"))
    before = {p.id: p.signin for p in load_roster(course)}
    result = roster(
        imported, "codes", "grace", "--url", "http://h/", "--sheet", str(tmp_path / "g")
    )
    assert result.exit_code == 0 and "1 new codes" in result.output
    after = {p.id: p.signin for p in load_roster(course)}
    assert after["grace"] != before["grace"]
    assert {k: v for k, v in after.items() if k != "grace"} == {
        k: v for k, v in before.items() if k != "grace"
    }


def test_revoke_clears_the_code(imported: Path, tmp_path: Path) -> None:
    roster(imported, "codes", "--url", "http://h/", "--sheet", str(tmp_path / "s.html"))
    assert roster(imported, "revoke", "ada").exit_code == 0
    assert load_roster(load_course(imported)).get("ada").signin == ""
