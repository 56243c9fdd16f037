"""The nbgrader exchange and plain folders: newest wins, extensions, reruns, replacing."""

from __future__ import annotations

import os
from datetime import datetime

from course.grading.collect import collect
from course.layout import collect_records_folder, exchange_folder, submission_folder
from tests.collect.conftest import notebook, stamp, submitted


def exchange_submission(course, folder_name, files):
    """An inbound submission folder as nbgrader's ``ExchangeSubmit`` leaves it."""
    folder = exchange_folder(course) / course.id / "inbound" / folder_name
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    timestamp = folder_name.split("+")[2]
    (folder / "timestamp.txt").write_text(timestamp)
    return folder


def test_exchange_takes_each_learners_newest_submission(course):
    exchange_submission(
        course, "ada+ps1+2027-01-16 10:00:00.000000 UTC+a1", {"ps1.ipynb": notebook("old")}
    )
    exchange_submission(
        course, "ada+ps1+2027-01-17 10:00:00.000000 UTC+a2", {"ps1.ipynb": notebook("new")}
    )
    exchange_submission(
        course, "aturing+ps1+2027-01-18 09:00:00.000000 UTC+t1", {"ps1.ipynb": notebook("alan")}
    )
    exchange_submission(
        course, "grace+ps1+2027-01-18 09:00:00.000000 UTC+g1", {"ps1.ipynb": notebook("grace")}
    )
    exchange_submission(
        course,
        "mallory+ps1+2027-01-16 10:00:00.000000 UTC+m1",
        {"ps1.ipynb": notebook("who")},
    )
    exchange_submission(
        course, "ada+ps2+2027-01-20 10:00:00.000000 UTC+p2", {"ps2.ipynb": notebook("ps2")}
    )

    report = collect(course, "ps1", "exchange")

    assert report.kind == "exchange"
    taken = {item.learner: item for item in report.taken}
    assert sorted(taken) == ["ada", "alan", "grace"]  # aturing is alan's hub user
    assert '"new"' in submitted(course, "ada").read_text()
    assert stamp(course, "ada") == datetime(2027, 1, 17, 10, 0)
    assert taken["alan"].late and not taken["grace"].late  # grace has two more days
    assert taken["grace"].due.startswith("2027-01-19T23:59")
    reasons = sorted((item.learner or "", item.reason) for item in report.skipped)
    assert reasons == [("", "unknown learner"), ("ada", "older")]
    assert not submission_folder(course, "ada", "ps2").exists()


def test_a_newer_exchange_submission_replaces_and_says_so(course):
    exchange_submission(
        course, "ada+ps1+2027-01-16 10:00:00.000000 UTC+a1", {"ps1.ipynb": notebook("first")}
    )
    collect(course, "ps1", "exchange")
    again = collect(course, "ps1", "exchange")
    assert again.taken == [] and [s.reason for s in again.skipped] == ["already collected"]

    exchange_submission(
        course, "ada+ps1+2027-01-17 10:00:00.000000 UTC+a2", {"ps1.ipynb": notebook("second")}
    )
    report = collect(course, "ps1", "exchange")

    (item,) = report.taken
    assert item.replaced == "2027-01-16T10:00:00+00:00"
    assert '"second"' in submitted(course, "ada").read_text()
    kept = collect_records_folder(course, "ps1") / "replaced" / "ada"
    (old,) = kept.iterdir()
    assert '"first"' in (old / "ps1.ipynb").read_text()
    # the older one from the exchange is reported, not taken again
    assert [s.reason for s in report.skipped] == ["older"]


def test_an_older_submission_never_replaces_a_newer_one(course, tmp_path):
    exchange_submission(
        course, "ada+ps1+2027-01-17 10:00:00.000000 UTC+a1", {"ps1.ipynb": notebook("exchange")}
    )
    collect(course, "ps1", "exchange")
    folder = tmp_path / "handed-in" / "ada"
    folder.mkdir(parents=True)
    (folder / "ps1.ipynb").write_bytes(notebook("an older copy"))
    moment = datetime(2027, 1, 15, 8, 0).timestamp()
    os.utime(folder / "ps1.ipynb", (moment, moment))

    report = collect(course, "ps1", tmp_path / "handed-in")

    assert report.taken == []
    (skipped,) = report.skipped
    assert skipped.reason == "older" and "newer or as new" in skipped.detail
    assert '"exchange"' in submitted(course, "ada").read_text()


def test_plain_folder_of_learner_folders(course, tmp_path):
    source = tmp_path / "folder"
    for learner, data in {
        "ada": notebook("ada"),
        "grace/ps1": notebook("grace"),  # <learner>/<assignment>/ works too
        "ada@example.org": notebook("ada again"),  # the same learner by email
        "jorg": b"",
        "carol": notebook("carol"),
    }.items():
        (source / learner).mkdir(parents=True)
        (source / learner / "ps1.ipynb").write_bytes(data)
    (source / "alan").mkdir()
    (source / "alan" / "notes.txt").write_text("my notes")
    (source / "stray.ipynb").write_bytes(notebook("whose?"))
    checkpoint = source / "grace" / "ps1" / ".ipynb_checkpoints"
    checkpoint.mkdir()
    (checkpoint / "ps1-checkpoint.ipynb").write_bytes(notebook("checkpoint"))
    early, late = datetime(2027, 1, 17, 8, 0), datetime(2027, 1, 18, 8, 0)
    for path, moment in [
        (source / "ada" / "ps1.ipynb", early),
        (source / "ada@example.org" / "ps1.ipynb", late),
        (source / "grace" / "ps1" / "ps1.ipynb", late),
    ]:
        os.utime(path, (moment.timestamp(), moment.timestamp()))

    report = collect(course, "ps1", source)

    assert report.kind == "folder"
    taken = {item.learner: item for item in report.taken}
    assert sorted(taken) == ["ada", "grace"]
    assert '"ada again"' in submitted(course, "ada").read_text()  # the newer copy
    assert taken["ada"].late and not taken["grace"].late
    reasons = {item.origin: item.reason for item in report.skipped}
    assert reasons == {
        "ada/ps1.ipynb": "duplicate",
        "jorg/ps1.ipynb": "empty",
        "carol/ps1.ipynb": "unknown learner",
        "alan/notes.txt": "not a notebook",
        "stray.ipynb": "no learner",
        "grace/ps1/.ipynb_checkpoints/ps1-checkpoint.ipynb": "not a notebook",
    }
    assert collect(course, "ps1", source).taken == []


def test_what_nbgraders_own_submit_leaves_in_the_exchange_is_collected(course, tmp_path):
    """The real thing: nbgrader releases ps1 to the exchange and two learners submit it."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
    from nbgrader.exchange.default.submit import ExchangeSubmit

    from course.layout import nbgrader_config
    from course.publish.release import release

    release(course, "ps1")

    def run(kind, student="", work=None):
        config = nbgrader_config(course)
        config.CourseDirectory.assignment_id = "ps1"
        if student:
            config.CourseDirectory.student_id = student
        if work:
            config.Exchange.assignment_dir = str(work)
        coursedir = CourseDirectory(config=config)
        kind(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()

    run(ExchangeReleaseAssignment)
    for learner in ("ada", "aturing"):
        work = tmp_path / learner
        (work / "ps1").mkdir(parents=True)
        (work / "ps1" / "ps1.ipynb").write_bytes(notebook(f"{learner}'s answer"))
        run(ExchangeSubmit, learner, work)

    report = collect(course, "ps1", "exchange")

    assert sorted(item.learner for item in report.taken) == ["ada", "alan"]
    assert report.skipped == []
    assert "ada's answer" in submitted(course, "ada").read_text()
    (inbound,) = (exchange_folder(course) / course.id / "inbound").glob("ada+ps1+*")
    assert stamp(course, "ada") == _nbgrader_time((inbound / "timestamp.txt").read_text())
    # nbgrader's release_feedback needs the submission's secret next to it
    secret = submission_folder(course, "ada", "ps1") / "submission_secret.txt"
    assert secret.read_bytes() == (inbound / "submission_secret.txt").read_bytes()


def _nbgrader_time(text):
    from nbgrader.utils import parse_utc

    return parse_utc(text.strip())
