"""Rosters from LMS exports: Canvas and Moodle CSVs, or a plain ``id,name,email`` file.

Which columns mean what, per format (``--id-column`` picks another id column):

* **Canvas** gradebook export: ``Student`` ("Last, First"), ``ID`` (Canvas user id,
  kept as the LMS id), ``SIS Login ID`` (the learner id), ``Section``. The
  "Points Possible" row and Canvas's "Student, Test" are skipped.
* **Moodle** grade export or participants download: ``First name``, ``Last name``,
  ``Email address``, and ``ID number`` (the learner id and LMS id), else ``Username``.
* **plain**: ``id``, ``name``, ``email``; optional ``lms_id``, ``section``, ``hub_user``.

A file is read whole before anything is written: every problem (a duplicate id, an
empty line, a missing column or value, text that is not UTF-8) is reported with its
line, and the roster stays as it was. Importing adds new learners and updates names,
emails, LMS ids and sections of known ones; it never removes anyone (their work and
grades hang on the id), it lists who is in the roster but not in the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from course.errors import Problem
from course.record.roster import ID_PATTERN, ID_RULE, Learner, Roster, RosterError, split_name

FORMATS = ("canvas", "moodle", "plain")


class RosterImportError(RosterError):
    """A roster file has problems; carries every one, each with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the roster file has {count}; nothing was imported:\n{listing}")


@dataclass(frozen=True)
class Entry:
    """A learner read from line ``line`` of the file."""

    line: int
    learner: Learner


@dataclass
class ImportReport:
    """What an import did: ids added and updated, lines skipped, roster ids not in the file."""

    format: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Format:
    name: str
    required: tuple[str, ...]
    id_column: Callable[[list[str]], str | None]
    learner: Callable[[dict[str, str], str], Learner]
    skip: Callable[[dict[str, str]], str | None] = lambda row: None


def _canvas(row: dict[str, str], id_column: str) -> Learner:
    first, last = split_name(row["Student"])
    return Learner(
        row[id_column], first, last, lms_id=row.get("ID", ""), section=row.get("Section", "")
    )


def _canvas_skip(row: dict[str, str]) -> str | None:
    student = row["Student"].strip()
    if student == "Points Possible":
        return "Canvas's Points Possible row"
    if student in ("Student, Test", "Test Student"):
        return "Canvas's test student"
    return None


def _moodle_id(header: list[str]) -> str | None:
    return next((c for c in ("ID number", "Username") if c in header), None)


def _moodle(row: dict[str, str], id_column: str) -> Learner:
    return Learner(
        row[id_column],
        row["First name"].strip(),
        row["Last name"].strip(),
        email=row.get("Email address", "").strip(),
        lms_id=row.get("ID number", "").strip(),
    )


def _plain(row: dict[str, str], id_column: str) -> Learner:
    first, last = split_name(row["name"])
    return Learner(
        row[id_column],
        first,
        last,
        email=row["email"].strip(),
        lms_id=row.get("lms_id", "").strip(),
        section=row.get("section", "").strip(),
        hub_user=row.get("hub_user", "").strip(),
    )


_FORMATS = {
    "canvas": _Format("canvas", ("Student", "ID"), lambda h: "SIS Login ID", _canvas, _canvas_skip),
    "moodle": _Format("moodle", ("First name", "Last name"), _moodle_id, _moodle),
    "plain": _Format("plain", ("id", "name", "email"), lambda h: "id", _plain),
}


def read_export(
    path: Path, *, format: str = "auto", id_column: str | None = None
) -> tuple[str, list[Entry], list[str]]:
    """(format, learners with their lines, skipped lines) of an LMS export; RosterImportError."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise RosterError(f"{file}: cannot read the roster file ({error.strerror})") from None
    text = _decode(file, raw)
    header, rows = _rows(text)
    if header is None:
        raise RosterImportError([Problem(file, 1, "", "the file is empty")])
    header = [_clean_heading(name) for name in header]
    chosen = _detect(file, header) if format == "auto" else _FORMATS[format]
    if chosen.name == "plain":
        header = [name.lower() for name in header]
        id_column = id_column.lower() if id_column else None
    problems: list[Problem] = []
    column = id_column or chosen.id_column(header)
    missing = [c for c in (*chosen.required, column) if c and c not in header]
    if column is None:
        missing.append("ID number or Username (or choose the id column with --id-column)")
    if missing or column is None:
        found = ", ".join(header) or "none"
        problems = [
            Problem(file, 1, "", f"missing column {m!r} (columns: {found})") for m in missing
        ]
        raise RosterImportError(problems)
    entries, skipped = _entries(file, header, rows, chosen, column, problems)
    if problems:
        raise RosterImportError(problems)
    return chosen.name, entries, skipped


def _decode(file: str, raw: bytes) -> str:
    """The text of the file; every line that is not UTF-8 is named in one error."""
    problems = []
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start]
            problems.append(
                Problem(
                    file,
                    number,
                    "",
                    f"not UTF-8 text (byte 0x{byte:02x} at column {error.start + 1}); "
                    "save the file as UTF-8 (in Excel: CSV UTF-8)",
                )
            )
    if problems:
        raise RosterImportError(problems)
    return raw.decode("utf-8-sig")


def _rows(text: str) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """The header and every later record with the line it ends on."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    rows = [(reader.line_num, record) for record in reader]
    while rows and not any(cell.strip() for cell in rows[-1][1]):
        rows.pop()  # blank lines at the very end are a file's usual ending, not a record
    return header, rows


def _clean_heading(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split())


def _detect(file: str, header: list[str]) -> _Format:
    names = set(header)
    if "Student" in names and ({"SIS Login ID", "SIS User ID"} & names):
        return _FORMATS["canvas"]
    if {"First name", "Last name"} <= names:
        return _FORMATS["moodle"]
    if {"id", "name"} <= {name.lower() for name in names}:
        return _FORMATS["plain"]
    raise RosterImportError(
        [
            Problem(
                file,
                1,
                "",
                "not a roster export the kit knows: expected a Canvas gradebook export "
                "(Student, ID, SIS Login ID, Section), a Moodle export (First name, Last name, "
                f"ID number, Email address) or a plain CSV (id, name, email); found: "
                f"{', '.join(header) or 'no columns'}",
            )
        ]
    )


def _entries(
    file: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    chosen: _Format,
    column: str,
    problems: list[Problem],
) -> tuple[list[Entry], list[str]]:
    entries: list[Entry] = []
    skipped: list[str] = []
    first_line: dict[str, int] = {}
    for line, record in rows:
        if not any(cell.strip() for cell in record):
            problems.append(Problem(file, line, "", "empty line; remove it"))
            continue
        if len(record) != len(header):
            problems.append(
                Problem(file, line, "", f"{len(record)} fields, but the header has {len(header)}")
            )
            continue
        row = dict(zip(header, record, strict=True))
        reason = chosen.skip(row)
        if reason:
            skipped.append(f"line {line}: {reason}")
            continue
        learner_id = row[column].strip()
        if not learner_id:
            who = chosen.learner(row, column).name
            problems.append(Problem(file, line, column, f"empty id for {who!r}"))
            continue
        if not ID_PATTERN.match(learner_id):
            problems.append(Problem(file, line, column, f"{learner_id!r} is not an id: {ID_RULE}"))
            continue
        key = learner_id.casefold()
        if key in first_line:
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"duplicate id {learner_id!r} (first on line {first_line[key]})",
                )
            )
            continue
        first_line[key] = line
        learner = chosen.learner(row, column)
        entries.append(Entry(line, replace(learner, id=learner_id)))
    return entries, skipped


def merge(roster: Roster, format: str, entries: list[Entry], skipped: list[str]) -> ImportReport:
    """Add new learners and update the LMS facts of known ones; nobody is removed."""
    report = ImportReport(format, skipped=skipped)
    seen = set()
    for entry in entries:
        new = entry.learner
        seen.add(new.id.casefold())
        known = roster.find(new.id)
        if known is None:
            roster.add(new)
            report.added.append(new.id)
            continue
        changes = {
            name: getattr(new, name)
            for name in ("first_name", "last_name", "email", "lms_id", "section", "hub_user")
            if getattr(new, name) and getattr(new, name) != getattr(known, name)
        }
        if changes:
            roster.replace(known.id, **changes)
            report.updated.append(known.id)
        else:
            report.unchanged.append(known.id)
    report.not_in_file = [i for i in roster.ids if i.casefold() not in seen]
    return report
