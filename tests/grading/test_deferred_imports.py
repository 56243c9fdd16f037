"""Modules grading never needs are not imported, and what they offer still works on first use."""

from __future__ import annotations

import subprocess
import sys
import zipfile

SCRIPT = """
import sys
import course.grading.engine
names = ("rfc3987_syntax", "setuptools", "pkg_resources")
loaded = sorted(n for n in names if hasattr(sys.modules.get(n), "__file__"))
print("loaded:", loaded)

from nbgrader import utils
utils.unzip(sys.argv[1], sys.argv[2], zip_ext=[".zip"], create_own_folder=False)

import jsonschema
checker = jsonschema.FormatChecker()
print("iri:", checker.conforms("http://example.org/ä", "iri"), checker.conforms("no spaces", "iri"))
"""


def test_grading_skips_unused_imports_and_they_load_on_use(tmp_path):
    archive = tmp_path / "collected.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("ps1.ipynb", "{}")
    (tmp_path / "out").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(archive), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "loaded: []" in done.stdout
    assert (tmp_path / "out" / "ps1.ipynb").read_text() == "{}"
    assert "iri: True False" in done.stdout
