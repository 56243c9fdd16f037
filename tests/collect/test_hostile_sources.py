"""Sources built to attack (zip slip, links, bombs, huge files, FIFOs), from the attacker's side."""

from __future__ import annotations

import os
import stat
import threading
import zipfile

import pytest

from course.grading.collect import CollectError, Limits, collect
from course.layout import exchange_folder, submission_folder
from tests.collect.conftest import make_zip, notebook, submitted

WHEN = (2027, 1, 16, 12, 0, 0)


@pytest.mark.parametrize(
    "evil",
    [
        "../../../outside.ipynb",
        "lovelaceada_1001_1_ps1.ipynb/../../../outside.ipynb",
        "/tmp/absolute.ipynb",
        "..\\..\\windows.ipynb",
        "C:/drive.ipynb",
    ],
)
def test_a_zip_slip_entry_refuses_the_whole_archive(course, tmp_path, evil):
    archive = make_zip(
        tmp_path / "evil.zip",
        {
            "lovelaceada_1001_1_ps1.ipynb": (notebook("fine"), WHEN),
            evil: (notebook("attack"), WHEN),
        },
    )
    with pytest.raises(PermissionError, match="nothing was collected"):
        collect(course, "ps1", archive)
    assert not (course.data_path / "submitted").exists()
    assert not (course.data_path / "collected").exists()
    assert not (tmp_path / "outside.ipynb").exists()


def test_a_symbolic_link_in_a_zip_refuses_the_archive(course, tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        link = zipfile.ZipInfo("lovelaceada_1001_1_ps1.ipynb", date_time=WHEN)
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(link, "/etc/passwd")
    with pytest.raises(PermissionError, match="symbolic link"):
        collect(course, "ps1", archive)
    assert not (course.data_path / "submitted").exists()


def test_a_file_larger_than_the_limit_is_skipped_without_inflating_it(course, tmp_path):
    padding = "x" * (3 * 1024 * 1024)  # compresses to a few kilobytes
    archive = make_zip(
        tmp_path / "big.zip",
        {
            "lovelaceada_1001_1_ps1.ipynb": (notebook(padding), WHEN),
            "hoppergrace_1002_2_ps1.ipynb": (notebook("small"), WHEN),
        },
    )
    assert archive.stat().st_size < 100_000
    report = collect(course, "ps1", archive, limits=Limits(file_bytes=1024 * 1024))
    assert [item.learner for item in report.taken] == ["grace"]
    (skipped,) = report.skipped
    assert skipped.reason == "too large" and skipped.learner == "ada"


def test_a_zip_bomb_stops_at_the_total_limit(course, tmp_path):
    files = {f"lovelaceada_1001_{n}_ps1.ipynb": (notebook("y" * 200_000), WHEN) for n in range(20)}
    archive = make_zip(tmp_path / "bomb.zip", files)
    with pytest.raises(CollectError, match="zip bomb"):
        collect(course, "ps1", archive, limits=Limits(total_bytes=1_000_000))
    assert not (course.data_path / "submitted").exists()


def test_a_planted_link_in_the_exchange_reads_nothing_of_its_target(course, tmp_path):
    secret = tmp_path / "ada-private.ipynb"
    secret.write_bytes(notebook("ada's secret answer"))
    inbound = exchange_folder(course) / course.id / "inbound"
    mallory = inbound / "jorg+ps1+2027-01-16 10:00:00.000000 UTC+x"
    mallory.mkdir(parents=True)
    (mallory / "ps1.ipynb").symlink_to(secret)
    (inbound / "alan+ps1+2027-01-16 10:00:00.000000 UTC+y").symlink_to(tmp_path)

    report = collect(course, "ps1", "exchange")

    assert report.taken == []
    refused = {item.origin: item for item in report.skipped}
    assert refused["jorg+ps1+2027-01-16 10:00:00.000000 UTC+x/ps1.ipynb"].reason == "refused"
    assert refused["alan+ps1+2027-01-16 10:00:00.000000 UTC+y"].reason == "refused"
    assert not submission_folder(course, "jorg", "ps1").exists()
    assert "secret" not in report.record.read_text()


def test_a_fifo_in_a_folder_is_refused_without_hanging(course, tmp_path):
    source = tmp_path / "folder"
    (source / "ada").mkdir(parents=True)
    os.mkfifo(source / "ada" / "ps1.ipynb")
    (source / "grace").mkdir()
    (source / "grace" / "ps1.ipynb").write_bytes(notebook("grace"))
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=collect(course, "ps1", source)))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "collect blocked on a FIFO"
    report = result["r"]
    assert [item.learner for item in report.taken] == ["grace"]
    assert [(s.origin, s.reason) for s in report.skipped] == [("ada/ps1.ipynb", "refused")]


def test_a_learner_id_that_is_a_path_reaches_no_folder_outside(course, tmp_path):
    source = tmp_path / "folder"
    (source / "..ada").mkdir(parents=True)
    (source / "..ada" / "ps1.ipynb").write_bytes(notebook("x"))
    report = collect(course, "ps1", source)
    assert report.taken == [] and report.skipped[0].reason == "not a notebook"
    assert not submitted(course, "ada").exists()


def test_not_a_source(course, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CollectError, match="not a zip archive"):
        collect(course, "ps1", tmp_path / "notes.txt")
    with pytest.raises(CollectError, match="no such folder"):
        collect(course, "ps1", tmp_path / "missing")
    with pytest.raises(CollectError, match="'ps9' is not an assignment"):
        collect(course, "ps9", tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_exchange_submission_owned_by_another_user_is_flagged(course):
    inbound = exchange_folder(course) / course.id / "inbound"
    forged = inbound / "ada+ps1+2027-01-16 10:00:00.000000 UTC+x"
    forged.mkdir(parents=True)
    (forged / "ps1.ipynb").write_bytes(notebook("in ada's name"))
    os.chown(forged / "ps1.ipynb", 54321, 54321)  # a learner who is not ada

    (item,) = collect(course, "ps1", "exchange").taken

    assert item.learner == "ada"
    assert any("owned by uid 54321, not ada" in note for note in item.notes)
