"""Canvas and Moodle bulk downloads: learners by LMS id or name, late marks, every kind of skip."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from course.grading.collect import collect
from course.layout import submission_folder
from tests.collect.conftest import make_zip, notebook, stamp, submitted

BEFORE = (2027, 1, 16, 12, 0, 0)  # Berlin wall-clock time, before the 17th 23:59
LATER_BEFORE = (2027, 1, 17, 20, 0, 0)
AFTER = (2027, 1, 18, 9, 30, 0)  # late, except for grace (two days' extension)


def canvas_zip(path):
    return make_zip(
        path,
        {
            "lovelaceada_1001_5001_ps1.ipynb": (notebook("ada = 'first'"), BEFORE),
            "lovelaceada_1001_5002_ps1-1.ipynb": (notebook("ada = 'resubmitted'"), LATER_BEFORE),
            "hoppergrace_LATE_1002_5003_ps1.ipynb": (notebook("grace = 1"), AFTER),
            "turingalan_late_1777_5004_ps1.ipynb": (notebook("alan = 1"), AFTER),
            "nobodyx_9999_5005_ps1.ipynb": (notebook("who = 1"), BEFORE),
            "mullerjorg_1003_5006_ps1.ipynb": (b'{"cells": [', BEFORE),
            "lovelaceada_1001_5007_answers.pdf": (b"%PDF-1.4", BEFORE),
            "leesam_1005_5008_ps1.ipynb": (b"", BEFORE),
        },
    )


def test_canvas_zip_is_taken_by_canvas_user_id_with_late_marks_and_skips(course, tmp_path):
    report = collect(course, "ps1", canvas_zip(tmp_path / "submissions.zip"))

    taken = {item.learner: item for item in report.taken}
    assert sorted(taken) == ["ada", "alan", "grace"]
    # the resubmission is the newest copy and gets the assignment's name back
    assert "resubmitted" in submitted(course, "ada").read_text()
    assert stamp(course, "ada") == datetime(2027, 1, 17, 19, 0)  # 20:00 Berlin in UTC
    assert not taken["ada"].late
    # Canvas says grace is late; her extension says she is not
    assert taken["grace"].lms_late and not taken["grace"].late
    # alan's Canvas id is not in the roster: his Canvas name finds him, and he is late
    assert taken["alan"].late and "matched by Canvas name" in taken["alan"].notes
    assert taken["ada"].notes == ["renamed from ps1-1.ipynb (Canvas resubmission)"]

    skipped = {item.origin: item for item in report.skipped}
    assert skipped["lovelaceada_1001_5001_ps1.ipynb"].reason == "duplicate"
    assert skipped["nobodyx_9999_5005_ps1.ipynb"].reason == "unknown learner"
    assert "9999" in skipped["nobodyx_9999_5005_ps1.ipynb"].detail
    assert skipped["mullerjorg_1003_5006_ps1.ipynb"].reason == "corrupt"
    assert skipped["lovelaceada_1001_5007_answers.pdf"].reason == "not a notebook"
    assert skipped["leesam_1005_5008_ps1.ipynb"].reason == "empty"
    assert len(report.skipped) == 5
    assert not submission_folder(course, "jorg", "ps1").exists()

    # the record on disk says the same as the report
    saved = json.loads(report.record.read_text())
    assert {item["learner"] for item in saved["taken"]} == {"ada", "alan", "grace"}
    assert {item["reason"] for item in saved["skipped"]} == {
        "duplicate",
        "unknown learner",
        "corrupt",
        "not a notebook",
        "empty",
    }


def test_a_second_run_of_the_same_zip_takes_nothing(course, tmp_path):
    archive = canvas_zip(tmp_path / "submissions.zip")
    collect(course, "ps1", archive)
    before = submitted(course, "ada").stat().st_mtime_ns

    again = collect(course, "ps1", archive)

    assert again.taken == []
    already = {item.learner for item in again.skipped if item.reason == "already collected"}
    assert already == {"ada", "alan", "grace"}
    assert submitted(course, "ada").stat().st_mtime_ns == before


def test_moodle_zip_is_taken_by_full_name_in_both_layouts(course, tmp_path):
    archive = make_zip(
        tmp_path / "moodle.zip",
        {
            "Ada Lovelace_123456_assignsubmission_file_/ps1.ipynb": (notebook("ada"), BEFORE),
            "Grace Hopper_123457_assignsubmission_file_/ps1.ipynb": (notebook("grace"), AFTER),
            "Grace Hopper_123457_assignsubmission_file_/ps1 (copy).ipynb": (
                notebook("copy"),
                AFTER,
            ),
            # the flat layout of Moodle before 3.1
            "Jörg Müller_123458_assignsubmission_file_ps1.ipynb": (notebook("jorg"), AFTER),
            "Ada Lovelace_123456_assignsubmission_onlinetext_/onlinetext.html": (b"<p>", BEFORE),
            "Eve Unknown_123460_assignsubmission_file_/ps1.ipynb": (notebook("eve"), BEFORE),
            "Sam Lee_123461_assignsubmission_file_/ps1.ipynb": (notebook("sam"), BEFORE),
        },
    )

    report = collect(course, "ps1", archive)

    taken = {item.learner: item for item in report.taken}
    assert sorted(taken) == ["ada", "grace", "jorg"]
    assert taken["jorg"].late and not taken["grace"].late and not taken["ada"].late
    assert taken["jorg"].notes == ["matched by Moodle full name"]
    assert '"jorg"' in submitted(course, "jorg").read_text()
    reasons = {item.origin.split("_")[0]: item.reason for item in report.skipped}
    assert reasons == {
        "Grace Hopper": "not in the assignment",
        "Ada Lovelace": "not a notebook",
        "Eve Unknown": "unknown learner",
        "Sam Lee": "ambiguous learner",
    }
    ambiguous = next(item for item in report.skipped if item.reason == "ambiguous learner")
    assert "sam1" in ambiguous.detail and "sam2" in ambiguous.detail


def test_a_dry_run_writes_nothing(course, tmp_path):
    report = collect(course, "ps1", canvas_zip(tmp_path / "s.zip"), dry_run=True)
    assert len(report.taken) == 3 and report.record is None
    assert not (course.data_path / "submitted").exists()
    assert not (course.data_path / "collected").exists()


def test_zip_times_are_the_course_time_zone(course, tmp_path):
    archive = make_zip(
        tmp_path / "s.zip",
        {"lovelaceada_1001_1_ps1.ipynb": (notebook("x"), (2027, 7, 1, 12, 0, 0))},
    )
    (item,) = collect(course, "ps1", archive).taken
    assert item.timestamp == datetime(2027, 7, 1, 10, 0, tzinfo=UTC).isoformat()  # CEST
