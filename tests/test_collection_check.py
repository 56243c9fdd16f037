"""The collection gate of ``make test`` finds test files pytest passes over."""

from __future__ import annotations

from pathlib import Path

from tests.check_collection import uncollected

PASSING = "def test_one():\n    assert 1 + 1 == 2\n"


def test_a_test_file_in_a_folder_named_build_is_reported(tmp_path: Path) -> None:
    for folder in ("tests/publish", "tests/build"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "test_files.py").write_text(PASSING)
    assert uncollected(tmp_path) == ["tests/build/test_files.py"]


def test_a_module_that_skips_at_import_is_reported(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_kept.py").write_text(PASSING)
    (tmp_path / "tests" / "test_skipped.py").write_text(
        "import pytest\npytest.skip('not here', allow_module_level=True)\n" + PASSING
    )
    assert uncollected(tmp_path) == ["tests/test_skipped.py"]
