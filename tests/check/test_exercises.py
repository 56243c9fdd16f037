"""``course check`` for exercises, with real nbgrader and real kernels.

One course is checked once per module: its assignment holds the good exercise
and one broken copy per fault, so every fault is detected in a single parallel
run (about ten kernel runs) and each test reads the verdict on its notebook.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_output

from course.check.exercises import ExerciseCheck, check_exercises
from course.plan import load_course

pytestmark = pytest.mark.slow

COURSE = Path(__file__).resolve().parent.parent / "publish" / "files" / "course"
EXERCISE = "exercises/hello"
SOLUTION = "solution passes every test"
STUDENT = "student version fails the tests that need an answer"


def _variant(folder: Path, name: str, change: object) -> None:
    nb = nbformat.read(folder / "squares.ipynb", as_version=4)
    change(nb)  # type: ignore[operator]
    nbformat.write(nb, folder / f"{name}.ipynb")


def _wrong_solution(nb: NotebookNode) -> None:
    nb.cells[1].source = nb.cells[1].source.replace("i * i", "i * 2")


def _test_without_answer(nb: NotebookNode) -> None:
    nb.cells[2].source = "assert callable(squares)"


def _hidden_only(nb: NotebookNode) -> None:
    nb.cells[
        2
    ].source = "### BEGIN HIDDEN TESTS\nassert squares(3) == [0, 1, 4]\n### END HIDDEN TESTS"


def _missing_data(nb: NotebookNode) -> None:
    nb.cells[7].source = nb.cells[7].source.replace("numbers.txt", "missing.txt")


def _outputs_left(nb: NotebookNode) -> None:
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="ok\n")]
    nb.cells[2].execution_count = 3


def _duplicate_id(nb: NotebookNode) -> None:
    nb.cells[4].metadata.nbgrader.grade_id = "test_squares"


def _bad_metadata(nb: NotebookNode) -> None:
    del nb.cells[4].metadata.nbgrader["points"]


def _endless_loop(nb: NotebookNode) -> None:
    """The solution of evens loops forever when called; the student version has no loop."""
    loop = "### BEGIN SOLUTION\n    while True:\n        pass\n"
    nb.cells[3].source = nb.cells[3].source.replace("### BEGIN SOLUTION\n", loop)


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("check") / "course"
    shutil.copytree(COURSE, target)
    folder = target / EXERCISE
    for name, change in [
        ("wrong_solution", _wrong_solution),
        ("test_without_answer", _test_without_answer),
        ("hidden_only", _hidden_only),
        ("outputs_left", _outputs_left),
        ("missing_data", _missing_data),
        ("duplicate_id", _duplicate_id),
        ("bad_metadata", _bad_metadata),
        ("endless_loop", _endless_loop),
    ]:
        _variant(folder, name, change)
    (folder / "not_json.ipynb").write_text("{ this is not json")
    return target


@pytest.fixture(scope="module")
def checks(course_dir: Path) -> list[ExerciseCheck]:
    before = sorted(str(p.relative_to(course_dir)) for p in course_dir.rglob("*"))
    result = check_exercises(load_course(course_dir), cell_timeout=3)
    after = sorted(str(p.relative_to(course_dir)) for p in course_dir.rglob("*"))
    assert after == before, "checking must not write into the course (not even var/)"
    return result


def _verdict(checks: list[ExerciseCheck], notebook: str, name: str) -> ExerciseCheck:
    [found] = [c for c in checks if c.notebook == f"{notebook}.ipynb" and c.name == name]
    return found


def test_good_exercise_passes_every_check(checks: list[ExerciseCheck]) -> None:
    good = [c for c in checks if c.notebook == "squares.ipynb"]

    assert {c.name for c in good} == {
        "nbgrader metadata valid",
        "grade ids unique",
        "no outputs in source",
        SOLUTION,
        STUDENT,
    }
    assert all(c.passed for c in good), [str(c) for c in good if not c.passed]
    assert _verdict(checks, "squares", SOLUTION).detail == "2 autograded tests, 4 of 4 points"
    assert _verdict(checks, "squares", STUDENT).detail == "2 tests score 0 without an answer"


def test_solution_that_fails_its_own_test_is_reported(checks: list[ExerciseCheck]) -> None:
    verdict = _verdict(checks, "wrong_solution", SOLUTION)

    assert not verdict.passed
    assert verdict.detail == (
        "test_squares: 0 of 2 points (AssertionError at line 1: assert squares(3) == [0, 1, 4])"
    )
    assert verdict.assignment == "hello"


def test_student_version_that_passes_without_an_answer_is_reported(
    checks: list[ExerciseCheck],
) -> None:
    verdict = _verdict(checks, "test_without_answer", STUDENT)

    assert not verdict.passed
    assert "test_squares gives all 2 points to the unanswered student version" in verdict.detail
    assert "test_evens" not in verdict.detail
    assert _verdict(checks, "test_without_answer", SOLUTION).passed


def test_test_with_only_hidden_assertions_is_judged_as_the_grader_would(
    checks: list[ExerciseCheck],
) -> None:
    """The released cell is empty, but grading restores the hidden test, which then fails."""
    assert _verdict(checks, "hidden_only", STUDENT).passed
    assert _verdict(checks, "hidden_only", SOLUTION).passed


def test_error_outside_the_tests_fails_the_solution(checks: list[ExerciseCheck]) -> None:
    verdict = _verdict(checks, "missing_data", SOLUTION)

    assert not verdict.passed
    assert verdict.detail.startswith("cell 7 (code '# data files next to the notebook are re')")
    assert "raised FileNotFoundError: [Errno 2] No such file or directory: 'missing.txt'" in (
        verdict.detail
    )


def test_outputs_left_in_a_source_are_reported(checks: list[ExerciseCheck]) -> None:
    verdict = _verdict(checks, "outputs_left", "no outputs in source")

    assert not verdict.passed
    assert "cell 2 (grade id 'test_squares') has 1 stored output(s)" in verdict.detail
    assert _verdict(checks, "outputs_left", SOLUTION).passed, "outputs are cleared before running"


def test_duplicate_grade_id_is_reported_and_not_run(checks: list[ExerciseCheck]) -> None:
    verdict = _verdict(checks, "duplicate_id", "grade ids unique")

    assert not verdict.passed
    assert verdict.detail.startswith("grade id 'test_squares' is used by 2 cells (2, 4)")
    assert not [c for c in checks if c.notebook == "duplicate_id.ipynb" and c.name == SOLUTION]


def test_invalid_nbgrader_metadata_is_reported_with_the_cell(checks: list[ExerciseCheck]) -> None:
    verdict = _verdict(checks, "bad_metadata", "nbgrader metadata valid")

    assert not verdict.passed
    assert (
        verdict.detail
        == "cell 4 (grade id 'test_evens'): nbgrader cell 'test_evens' does not have points"
    )


def test_notebook_that_is_not_json_is_reported(checks: list[ExerciseCheck]) -> None:
    verdict = _verdict(checks, "not_json", "readable notebook")

    assert not verdict.passed
    assert verdict.detail.startswith("exercises/hello/not_json.ipynb is not a readable notebook")


def test_endless_loop_costs_one_cell_timeout_and_fails_the_tests_after_it(
    checks: list[ExerciseCheck],
) -> None:
    verdict = _verdict(checks, "endless_loop", SOLUTION)

    assert not verdict.passed
    assert verdict.detail == "test_evens: 0 of 2 points (interrupted after the 3 s cell timeout)"
    assert _verdict(checks, "endless_loop", STUDENT).passed


def test_notebook_over_its_budget_is_reported_and_its_kernel_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "course"
    shutil.copytree(COURSE, target)
    _variant(target / EXERCISE, "squares", _endless_loop)
    # Scratch copies go under tmp_path, so kernels of tests running in parallel are not counted.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    result = check_exercises(load_course(target), cell_timeout=60, budget=4)

    solution = _verdict(result, "squares", SOLUTION)
    assert not solution.passed
    assert solution.detail == "did not finish within its 4 s budget"
    assert _verdict(result, "squares", STUDENT).passed, "the other run is unaffected"
    assert not _kernels_running_in(tmp_path), "the kernel over budget must be shut down"


def _kernels_running_in(folder: Path) -> list[str]:
    """Kernels whose working directory is a scratch copy made inside ``folder``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if "ipykernel" in cmdline and cwd.startswith(str(folder)):
            found.append(f"{proc.name} {cwd}")
    return found
