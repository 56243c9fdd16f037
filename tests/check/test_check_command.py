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
    assert "checks passed" in result.output
    assert "FAIL" not in result.output
    assert lesson.read_bytes() == before


def test_failing_notebook_is_named_with_cell_and_error(mini_course: Path) -> None:
    set_cell(mini_course / "lesson-b.ipynb", 1, "print(len(words) / 0)")

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    assert "FAIL lesson-b.ipynb: cell 2: ZeroDivisionError: division by zero" in result.output
    assert [line for line in result.output.splitlines() if line.startswith("FAIL")] == [
        "FAIL lesson-b.ipynb: cell 2: ZeroDivisionError: division by zero"
    ]


def test_notebook_that_is_not_json_is_reported(mini_course: Path) -> None:
    (mini_course / "lesson-a.ipynb").write_text("{ this is not json")

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    assert "FAIL lesson-a.ipynb: cannot be read as a notebook" in result.output


def test_exercise_whose_reference_solution_fails_is_reported(mini_course: Path) -> None:
    code = (
        "from course.learn import exercise\n"
        "double = exercise('a-double', tests=[('double(2)', 4)],\n"
        "                  solution='def double(x):\\n    return x + 1')"
    )
    set_cell(mini_course / "lesson-a.ipynb", 1, code)

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert len(failures) == 1
    assert failures[0].startswith("FAIL lesson-a.ipynb: cell 2:")
    assert "a-double" in failures[0]


def test_quiz_without_a_correct_answer_is_reported(mini_course: Path) -> None:
    (mini_course / "quizzes.yml").write_text(
        "a-ok:\n  question: Fine?\n  kind: single\n  options: [yes, no]\n  correct: 'yes'\n"
        "a-open:\n  question: Which one?\n  kind: single\n  options: [A, B]\n"
    )

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert len(failures) == 1
    assert failures[0].startswith("FAIL quizzes.yml:6: a-open")


def test_polls_file_is_checked_with_the_question_model(mini_course: Path) -> None:
    plan = mini_course / "course.yml"
    plan.write_text(
        plan.read_text().replace(
            "      duration: 90min\n", "      duration: 90min\n      polls: polls/a.yml\n", 1
        )
    )
    (mini_course / "polls").mkdir()
    (mini_course / "polls" / "a.yml").write_text(
        "a-fine:\n  question: How was it?\n  kind: text\n"
        "a-pick:\n  question: Which one?\n  kind: single\n  options: [A, B]\n  correct: C\n"
    )

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert failures == ["FAIL polls/a.yml:8: a-pick.correct: 'C' is not among the options 'A', 'B'"]


def add_cell(notebook: Path, cell: dict) -> None:
    data = json.loads(notebook.read_text())
    data["cells"].append({"id": f"added{len(data['cells'])}", "metadata": {}, **cell})
    notebook.write_text(json.dumps(data))


def test_images_without_alt_text_and_stored_outputs_fail_the_lint(mini_course: Path) -> None:
    lesson = mini_course / "lesson-a.ipynb"
    markdown = "A chart ![](chart.png) and ![a bar chart](ok.png) and <img src='raw.png'>"
    add_cell(lesson, {"cell_type": "markdown", "source": markdown})
    output = {"output_type": "stream", "name": "stdout", "text": "3\n"}
    add_cell(
        lesson,
        {"cell_type": "code", "execution_count": 4, "outputs": [output], "source": "print(3)"},
    )

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert sorted(failures) == [
        "FAIL lesson-a.ipynb: images have alt text: images without alt text: "
        "cell 3 (chart.png), cell 3 (raw.png)",
        "FAIL lesson-a.ipynb: outputs cleared: outputs stored in cell 4; "
        "run `course check --clear-outputs` to clear them",
    ]


def run_lesson_in_jupyterlab(notebook: Path) -> int:
    """What JupyterLab saves after running every code cell: outputs and execution counts."""
    data = json.loads(notebook.read_text())
    ran = 0
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            ran += 1
            cell["execution_count"] = ran
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"{ran}\n"}]
    notebook.write_text(json.dumps(data, indent=1))
    return ran


def sources(notebook: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]]


def test_stored_outputs_fail_with_the_command_that_clears_them(sample_course: Path) -> None:
    lesson = sample_course / "notebooks" / "01-foundations.ipynb"
    ran = run_lesson_in_jupyterlab(lesson)

    result = CliRunner().invoke(main, ["--course", str(sample_course), "check", "-j", "1"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    (failure,) = [line for line in lines if line.startswith("FAIL") and "outputs cleared" in line]
    assert failure.startswith(
        f"FAIL notebooks/01-foundations.ipynb: outputs cleared: outputs stored in {ran} cells ("
    )
    assert failure.endswith("; run `course check --clear-outputs` to clear them")
    assert len(failure) < 200, "dozens of cells are summed up, not listed"


def test_clear_outputs_clears_lessons_and_exercise_sources_then_checks(
    sample_course: Path,
) -> None:
    lesson = sample_course / "notebooks" / "01-foundations.ipynb"
    exercise = sample_course / "exercises" / "ps1" / "ps1.ipynb"
    before = sources(lesson), sources(exercise)
    ran = run_lesson_in_jupyterlab(lesson), run_lesson_in_jupyterlab(exercise)

    args = ["--course", str(sample_course), "check", "--clear-outputs", "-j", "1"]
    result = CliRunner().invoke(main, args)

    assert result.exit_code == 0, result.output
    assert f"Cleared the outputs of {ran[0]} cells in notebooks/01-foundations.ipynb" in (
        result.output
    )
    assert f"Cleared the outputs of {ran[1]} cells in exercises/ps1/ps1.ipynb" in result.output
    assert (sources(lesson), sources(exercise)) == before
    for notebook in (lesson, exercise):
        cells = json.loads(notebook.read_text())["cells"]
        assert all(not c.get("outputs") and not c.get("execution_count") for c in cells)
