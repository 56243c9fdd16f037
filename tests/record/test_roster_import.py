"""Roster import from LMS exports: Canvas, Moodle and plain CSV; every bad line is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.plan import load_course
from course.record.roster import load_roster
from course.record.roster_edits import import_roster
from course.record.roster_import import RosterImportError, read_export

FILES = Path(__file__).parent / "files"


def test_canvas_gradebook_export_gives_login_ids_names_sections() -> None:
    format_, entries, skipped = read_export(FILES / "canvas-gradebook.csv")
    assert format_ == "canvas"
    learners = [e.learner for e in entries]
    assert [(p.id, p.first_name, p.last_name, p.lms_id, p.section) for p in learners] == [
        ("alovelace", "Ada", "Lovelace", "1001", "Section A"),
        ("ghopper", "Grace", "Hopper", "1002", "Section B"),
        ("jmuller", "Jörg", "Müller", "1003", "Section A"),
    ]
    assert [e.line for e in entries] == [3, 4, 5]
    assert skipped == ["line 2: Canvas's Points Possible row", "line 6: Canvas's test student"]


def test_moodle_grade_export_gives_id_numbers_and_emails() -> None:
    format_, entries, _ = read_export(FILES / "moodle-grades.csv")
    assert format_ == "moodle"
    assert [(e.learner.id, e.learner.name, e.learner.email) for e in entries] == [
        ("s0001", "Ada Lovelace", "ada@example.org"),
        ("s0002", "Grace Hopper", "grace@example.org"),
        ("s0003", "Jörg Müller", "joerg@example.org"),
    ]


def test_plain_csv_reads_both_name_orders() -> None:
    format_, entries, _ = read_export(FILES / "plain.csv")
    assert format_ == "plain"
    assert [(e.learner.id, e.learner.first_name, e.learner.last_name) for e in entries] == [
        ("ada", "Ada", "Lovelace"),
        ("grace", "Grace", "Hopper"),
        ("alan", "Alan", "Turing"),
    ]


def test_a_chosen_id_column_replaces_the_formats_default() -> None:
    _, entries, _ = read_export(FILES / "canvas-gradebook.csv", id_column="SIS User ID")
    assert [e.learner.id for e in entries] == ["S-0001", "S-0002", "S-0003"]


def _problems(tmp_path: Path, content: bytes, name: str = "roster.csv") -> list[str]:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterImportError) as caught:
        read_export(path)
    return [str(p) for p in caught.value.problems]


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, b"id,name,email\nada,Ada L,a@x.org\ngrace,Grace H,g@x.org\nADA,Ada Again,\n"
    )
    assert problems == [f"{tmp_path}/roster.csv:4: id: duplicate id 'ADA' (first on line 2)"]


def test_empty_line_is_named(tmp_path: Path) -> None:
    problems = _problems(tmp_path, b"id,name,email\nada,Ada L,a@x.org\n\ngrace,Grace H,\n")
    assert problems == [f"{tmp_path}/roster.csv:3: empty line; remove it"]


def test_blank_lines_at_the_end_are_no_problem(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"id,name,email\nada,Ada L,a@x.org\n\n\n")
    assert [e.learner.id for e in read_export(path)[1]] == ["ada"]


def test_missing_column_is_named_with_the_columns_found(tmp_path: Path) -> None:
    problems = _problems(tmp_path, b"id,name\nada,Ada L\n")
    assert problems == [
        f"{tmp_path}/roster.csv:1: missing column 'email' (columns: id, name)",
    ]


def test_moodle_export_without_an_id_column_says_what_to_choose(tmp_path: Path) -> None:
    problems = _problems(tmp_path, b"First name,Last name,Email address\nAda,L,a@x.org\n")
    assert len(problems) == 1 and "ID number or Username" in problems[0]
    assert problems[0].startswith(f"{tmp_path}/roster.csv:1:")


def test_non_utf8_text_names_every_line_and_the_byte(tmp_path: Path) -> None:
    latin1 = "id,name,email\nada,Ada L,a@x.org\njm,Jörg Müller,j@x.org\nzo,Zoë,\n".encode("latin-1")
    problems = _problems(tmp_path, latin1)
    assert problems == [
        f"{tmp_path}/roster.csv:3: not UTF-8 text (byte 0xf6 at column 5); "
        "save the file as UTF-8 (in Excel: CSV UTF-8)",
        f"{tmp_path}/roster.csv:4: not UTF-8 text (byte 0xeb at column 6); "
        "save the file as UTF-8 (in Excel: CSV UTF-8)",
    ]


def test_a_short_row_an_empty_id_and_a_bad_id_are_each_named(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, b"id,name,email\nada,Ada L\n,Nobody,n@x.org\nbad/id,Bad,b@x.org\nok,Ok,\n"
    )
    assert problems == [
        f"{tmp_path}/roster.csv:2: 2 fields, but the header has 3",
        f"{tmp_path}/roster.csv:3: id: empty id for 'Nobody'",
        f"{tmp_path}/roster.csv:4: id: 'bad/id' is not an id: 1-64 letters, digits and "
        ". _ @ + -, starting with a letter or digit",
    ]


def test_an_unknown_export_lists_the_formats_and_what_it_found(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, b"who,mail\nada,a@x.org\n")
    assert "Canvas gradebook export" in problem and "found: who, mail" in problem


def test_a_failed_import_leaves_the_roster_as_it_was(mini_course: Path, tmp_path: Path) -> None:
    course = load_course(mini_course)
    import_roster(course, FILES / "plain.csv", sync=False)
    before = (course.data_path / "roster.json").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,name,email\nnew,New One,\nnew,Twice,\n")
    with pytest.raises(RosterImportError):
        import_roster(course, bad, sync=False)
    assert (course.data_path / "roster.json").read_bytes() == before


def test_reimport_updates_and_keeps_learners_missing_from_the_file(
    mini_course: Path, tmp_path: Path
) -> None:
    course = load_course(mini_course)
    import_roster(course, FILES / "plain.csv", sync=False)
    newer = tmp_path / "newer.csv"
    newer.write_text(
        "id,name,email\nada,Ada King,ada@new.org\ngrace,Grace Hopper,grace@example.org\n"
    )
    report = import_roster(course, newer, sync=False).report
    assert (report.added, report.updated, report.unchanged) == ([], ["ada"], ["grace"])
    assert report.not_in_file == ["alan"]
    roster = load_roster(course)
    assert roster.ids == ["ada", "grace", "alan"]
    assert roster.get("ada").name == "Ada King" and roster.get("ada").email == "ada@new.org"


def test_the_roster_lives_in_the_data_folder_readable_by_its_owner_only(
    mini_course: Path,
) -> None:
    course = load_course(mini_course)
    import_roster(course, FILES / "plain.csv", sync=False)
    path = course.data_path / "roster.json"
    assert path.parent == mini_course / "var"
    assert path.stat().st_mode & 0o777 == 0o600


def _lines(name: str) -> list[bytes]:
    return (FILES / name).read_bytes().splitlines(keepends=True)


def _without_column(lines: list[bytes], column: bytes) -> bytes:
    fields = [line.rstrip(b"\r\n").split(b",") for line in lines]
    index = fields[0].index(column)
    return b"".join(b",".join(f[:index] + f[index + 1 :]) + b"\n" for f in fields)


EXPORTS = {  # file, a required column, the line of a name with a non-ASCII letter (if any)
    "canvas": ("canvas-gradebook.csv", b"SIS Login ID", 5),
    "moodle": ("moodle-grades.csv", b'"ID number"', 4),
    "plain": ("plain.csv", b"email", None),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_every_kind_of_bad_line_is_named_in_every_export(tmp_path: Path, export: str) -> None:
    """A duplicate id, an empty line, a missing column, text that is not UTF-8: in a Canvas
    export, a Moodle export and a plain CSV, each named with its line."""
    name, column, accented = EXPORTS[export]
    lines = _lines(name)
    file = f"{tmp_path}/roster.csv"
    duplicate = _problems(tmp_path, b"".join([*lines, lines[2]]))  # line 3 again, at the end
    assert len(duplicate) == 1 and duplicate[0].startswith(f"{file}:{len(lines) + 1}: ")
    assert "duplicate id" in duplicate[0] and "(first on line 3)" in duplicate[0]
    empty = _problems(tmp_path, b"".join([*lines[:3], b"\n", *lines[3:]]))
    assert empty == [f"{file}:4: empty line; remove it"]
    (missing,) = _problems(tmp_path, _without_column(lines, column))
    assert missing.startswith(f"{file}:1: missing column '{column.decode().strip(chr(34))}")
    text = b"".join(lines).decode("utf-8-sig")
    latin = text.replace("Grace", "Gr\u00e2ce").encode("latin-1")  # as Excel saves it
    problems = _problems(tmp_path, latin)
    grace = next(i for i, line in enumerate(lines, start=1) if b"Grace" in line)
    bad_lines = sorted({grace, accented or grace})
    assert [p.split(": ", 1)[0] for p in problems] == [f"{file}:{n}" for n in bad_lines]
    assert all("not UTF-8 text" in p for p in problems)
