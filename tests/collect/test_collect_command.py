"""``course collect`` on the command line: tables, the JSON record, no tracebacks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from course.cli.app import main
from tests.collect.conftest import make_zip, notebook

WHEN = (2027, 1, 18, 9, 0, 0)


def test_collect_prints_what_it_took_and_skipped(course, tmp_path):
    archive = make_zip(
        tmp_path / "canvas.zip",
        {
            "lovelaceada_late_1001_1_ps1.ipynb": (notebook("ada"), WHEN),
            "nobodyx_9_2_ps1.ipynb": (notebook("who"), WHEN),
        },
    )
    run = CliRunner().invoke(
        main, ["--course", str(course.root), "collect", "ps1", str(archive)], terminal_width=200
    )
    assert run.exit_code == 0, run.output
    assert "LATE" in run.output and "unknown learner" in run.output
    assert "took 1 submissions (1 late), skipped 1 files" in run.output
    assert "record:" in run.output

    again = CliRunner().invoke(
        main, ["--course", str(course.root), "collect", "ps1", str(archive), "--json"]
    )
    record = json.loads(again.output)
    assert record["taken"] == []
    assert [s["reason"] for s in record["skipped"]] == ["unknown learner", "already collected"]


def test_a_hostile_zip_is_an_error_message_not_a_traceback(course, tmp_path):
    archive = make_zip(tmp_path / "evil.zip", {"../../x.ipynb": (notebook("x"), WHEN)})
    run = CliRunner().invoke(main, ["--course", str(course.root), "collect", "ps1", str(archive)])
    assert run.exit_code == 1
    assert "zip-slip" in run.output and "Traceback" not in run.output
