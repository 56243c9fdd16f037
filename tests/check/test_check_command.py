"""`course check` runs the notebooks the plan names, in real kernels, and says where they break."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.cli import main

pytestmark = pytest.mark.slow


def set_cell(notebook: Path, index: int, source: str) -> None:
    data = json.loads(notebook.read_text())
    data["cells"][index]["source"] = source
    notebook.write_text(json.dumps(data))


def test_valid_course_passes_and_notebooks_stay_untouched(mini_course: Path) -> None:
    lesson = mini_course / "lesson-b.ipynb"
    before = lesson.read_bytes()

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 0, result.output
    assert "All 3 checks passed" in result.output
    assert lesson.read_bytes() == before


def test_failing_notebook_is_named_with_cell_and_error(mini_course: Path) -> None:
    set_cell(mini_course / "lesson-b.ipynb", 1, "print(len(words) / 0)")

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    assert "FAIL lesson-b.ipynb: cell 2: ZeroDivisionError: division by zero" in result.output
    assert "1 of 3 checks failed" in result.output


def test_notebook_that_is_not_json_is_reported(mini_course: Path) -> None:
    (mini_course / "lesson-a.ipynb").write_text("{ this is not json")

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    assert "FAIL lesson-a.ipynb: cannot be read as a notebook" in result.output
