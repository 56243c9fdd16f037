"""Modules grading never needs are not imported, and what they offer still works on first use.

The stand-ins that make this so (``course.grading.stand_ins``) are installed where
grading runs only: a process that merely imports the kit keeps the real modules.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.grading import coursekit as ck

GRADE = """
import sys
from course.grading import grade
from course.plan import load_course
report = grade(load_course(sys.argv[1]), "ps1")
print("status:", report.results[0].status)
names = ("rfc3987_syntax", "setuptools", "pkg_resources", "jupyter_server",
         "nbgrader.server_extensions.formgrader", "nbconvert.postprocessors.serve")
loaded = sorted(n for n in names if hasattr(sys.modules.get(n), "__file__"))
print("loaded:", loaded)

from nbgrader import utils
utils.unzip(sys.argv[2], sys.argv[3], zip_ext=[".zip"], create_own_folder=False)

import jsonschema
checker = jsonschema.FormatChecker()
print("iri:", checker.conforms("http://example.org/ä", "iri"), checker.conforms("no spaces", "iri"))

from setuptools.archive_util import UnrecognizedFormat
print("real:", UnrecognizedFormat.__module__)
"""


def _python(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_grading_skips_unused_imports_and_they_load_on_use(tmp_path):
    root = ck.make_course(tmp_path / "course")
    ck.submit(root, "ada", ck.CORRECT)
    archive = tmp_path / "collected.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("ps1.ipynb", "{}")
    (tmp_path / "out").mkdir()
    out = _python(GRADE, str(root), str(archive), str(tmp_path / "out"))
    assert "status: graded" in out
    assert "loaded: []" in out
    assert (tmp_path / "out" / "ps1.ipynb").read_text() == "{}"
    assert "iri: True False" in out
    assert "real: setuptools.archive_util" in out


IMPORT_THEN_USE = """
import sys
import {module}
from setuptools.archive_util import UnrecognizedFormat
print("real:", UnrecognizedFormat.__module__, type(sys.modules["setuptools.archive_util"]).__name__)
"""


@pytest.mark.parametrize("module", ["course.grading", "course.live", "course.live.app"])
def test_importing_the_kit_leaves_setuptools_archive_util_real(module):
    out = _python(IMPORT_THEN_USE.format(module=module))
    assert "real: setuptools.archive_util module" in out


WHILE_INSTALLED = """
import sys
from course.grading import stand_ins
stand_ins.install()
stand_in = sys.modules["setuptools.archive_util"]
print("file:", getattr(stand_in, "__file__", None), "setuptools" in sys.modules)
from setuptools.archive_util import UnrecognizedFormat
replaced = sys.modules["setuptools.archive_util"] is not stand_in
print("real:", UnrecognizedFormat.__module__, replaced)
"""


def test_a_stand_in_in_place_gives_the_real_module_for_any_public_name():
    out = _python(WHILE_INSTALLED)
    assert "file: None False" in out  # probing dunders loads nothing
    assert "real: setuptools.archive_util True" in out
