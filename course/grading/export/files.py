"""The four grade files: nbgrader's long CSV, a wide CSV, and Canvas's and Moodle's imports.

Scores are written as Python writes a float (``repr``: the shortest text that reads
back as the same number), so a file read back gives every score exactly.

* **long**: ``nbgrader export``'s columns and rows (``CsvExportPlugin``): ``assignment,
  duedate, timestamp, student_id, last_name, first_name, email, raw_score,
  late_submission_penalty, score, max_score``, a row per assignment and student, a
  student without a submission scoring 0.0, times as nbgrader prints them (naive UTC).
  Unlike nbgrader's, fields are quoted when they need it (a name with a comma).
* **wide**: a row per learner (``student_id, first_name, last_name, email, section``),
  a column per assignment (the score after penalties; empty when nothing was
  submitted), optionally a column per graded cell (``ps1:test-squares``), then ``total``.
* **Canvas** gradebook import. Followed: the layout of Canvas's gradebook export,
  which its import reads back, and the university guides that relay Canvas's
  instructor guide (Ohio State, "Import a CSV file to Carmen Grades": the file needs
  the student's name or ID or SIS User ID, then SIS Login ID, Section and one column
  per assignment; a new assignment column creates an assignment; VCU, "Gradebook
  Action Menu", on the read-only columns). So: ``Student`` ("Last, First"), ``ID``
  (the Canvas user id: the roster's LMS id, what Canvas matches on), ``SIS User ID``
  (the roster does not keep it: empty), ``SIS Login ID`` (the learner id, as ``course
  roster import`` reads a Canvas export), ``Section``, then one column per assignment
  headed as in the export, ``Name (assignment id)``; the second row is ``Points
  Possible`` with each maximum. Learners without an LMS id cannot be matched and are
  left out (and listed).
* **Moodle** grade import, CSV file (MoodleDocs "Grade import": the import file is
  the export's format; on the preview page *Map from* a column *Map to* ``userid``,
  ``useridnumber``, ``useremail`` or ``username``, as ``gradeimport_csv``'s
  ``load_data::map_user_data_with_value`` does): ``First name``, ``Last name``, the
  identifier column (``ID number``, ``Email address`` or ``Username``), then one
  column per grade item. On upload choose *Map from* that column, *Map to* the
  matching user field, and map each assignment column to its grade item.
  An empty cell is "no grade" in Moodle, so a missing submission is left empty.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.export.scores import ClassScores, Score
from course.record.roster import Learner

LONG_COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDS = {"idnumber": "ID number", "email": "Email address", "username": "Username"}


@dataclass
class Written:
    """One file written: its path, rows of learners, and learners left out with why."""

    format: str
    path: Path
    rows: int
    left_out: list[str] = field(default_factory=list)


def number(value: float) -> str:
    return repr(float(value))


def _cell(score: Score | None) -> str:
    return number(score.score) if score else ""


def long_csv(scores: ClassScores) -> tuple[str, int]:
    rows = []
    for assignment in scores.assignments:
        for learner in scores.learners:
            found = scores.score(learner.id, assignment.name)
            rows.append(
                [
                    assignment.name,
                    _text(assignment.duedate),
                    _text(found.timestamp) if found else "",
                    learner.id,
                    learner.last_name,
                    learner.first_name,
                    learner.email,
                    number(found.raw) if found else "0.0",
                    number(found.penalty) if found else "0.0",
                    number(found.score) if found else "0.0",
                    number(assignment.max_score),
                ]
            )
    return _csv([LONG_COLUMNS, *rows]), len(rows)


def wide_csv(scores: ClassScores, *, questions: bool) -> tuple[str, int]:
    header = ["student_id", "first_name", "last_name", "email", "section"]
    for assignment in scores.assignments:
        header.append(assignment.name)
        if questions:
            header += [f"{assignment.name}:{q.name}" for q in assignment.questions]
    header.append("total")
    rows = []
    for learner in scores.learners:
        row = [learner.id, learner.first_name, learner.last_name, learner.email, learner.section]
        total = 0.0
        for assignment in scores.assignments:
            found = scores.score(learner.id, assignment.name)
            row.append(_cell(found))
            total += found.score if found else 0.0
            if questions:
                got = {q.name: q.score for q in found.questions} if found else {}
                row += [number(got[q.name]) if q.name in got else "" for q in assignment.questions]
        row.append(number(total))
        rows.append(row)
    return _csv([header, *rows]), len(rows)


def canvas_csv(scores: ClassScores, columns: dict[str, str]) -> tuple[str, int, list[str]]:
    header = CANVAS_FIXED + [columns.get(a.name, a.name) for a in scores.assignments]
    points = ["Points Possible", "", "", "", ""] + [number(a.max_score) for a in scores.assignments]
    rows, left_out = [], []
    for learner in scores.learners:
        if not learner.lms_id:
            left_out.append(f"{learner.id}: no LMS id (Canvas user id) in the roster")
            continue
        row = [_sortable(learner), learner.lms_id, "", learner.id, learner.section]
        row += [_cell(scores.score(learner.id, a.name)) for a in scores.assignments]
        rows.append(row)
    return _csv([header, points, *rows]), len(rows), left_out


def moodle_csv(
    scores: ClassScores, columns: dict[str, str], identifier: str
) -> tuple[str, int, list[str]]:
    heading = MOODLE_IDS[identifier]
    header = ["First name", "Last name", heading] + [
        columns.get(a.name, a.name) for a in scores.assignments
    ]
    rows, left_out = [], []
    for learner in scores.learners:
        key = _moodle_key(learner, identifier)
        if not key:
            left_out.append(f"{learner.id}: no {heading} in the roster")
            continue
        row = [learner.first_name, learner.last_name, key]
        row += [_cell(scores.score(learner.id, a.name)) for a in scores.assignments]
        rows.append(row)
    return _csv([header, *rows]), len(rows), left_out


def _moodle_key(learner: Learner, identifier: str) -> str:
    if identifier == "idnumber":
        return learner.lms_id
    if identifier == "email":
        return learner.email
    return learner.id


def _sortable(learner: Learner) -> str:
    """Canvas's sortable name, "Last, First" (the id when the roster has no name)."""
    if learner.last_name and learner.first_name:
        return f"{learner.last_name}, {learner.first_name}"
    return learner.last_name or learner.first_name or learner.id


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
