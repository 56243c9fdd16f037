"""``RedactHiddenTests`` on hand-made notebooks: every place a hidden test could hide.

The whole notebook after the preprocessor (sources, outputs, tracebacks, metadata,
widget state) is serialised and searched for the hidden text.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course.grading.feedback.redact import (
    FAILED,
    NOT_RUN,
    PASSED,
    Block,
    RedactHiddenTests,
    block_outcomes,
    error_line,
    hidden_blocks,
)

SECRET = "assert secret_function(41) == 42"
TEST_SOURCE = "\n".join(
    [
        '"""visible tests"""',  # line 1
        "assert f(1) == 1",  # line 2
        "### BEGIN HIDDEN TESTS",  # line 3
        SECRET,  # line 4
        "### END HIDDEN TESTS",  # line 5
    ]
)


def ipython_traceback(line: int, quoted: str) -> list[str]:
    """An error output's traceback as IPython 8 writes it, ANSI colours included."""
    return [
        "\x1b[31m-----\x1b[39m",
        "\x1b[31mAssertionError\x1b[39m  Traceback (most recent call last)",
        f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[7]\x1b[39m\x1b[32m, line {line}\x1b[39m\n"
        f"\x1b[32m----> \x1b[39m\x1b[32m{line}\x1b[39m {quoted}\n",
        f"\x1b[31mAssertionError\x1b[39m: {quoted}",
    ]


def graded_test_cell(score: float, outputs: list[object]) -> nbformat.NotebookNode:
    cell = new_code_cell(TEST_SOURCE, outputs=outputs)
    cell.metadata.nbgrader = {
        "grade": True,
        "solution": False,
        "grade_id": "t",
        "points": 1,
        "score": score,
        "checksum": "abc",
    }
    return cell


def redacted(nb: nbformat.NotebookNode, **traits: object) -> nbformat.NotebookNode:
    result, _ = RedactHiddenTests(**traits).preprocess(nb, {})
    return result


def test_hidden_blocks_and_where_a_cell_raised() -> None:
    assert hidden_blocks(TEST_SOURCE, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS") == [Block(2, 4)]
    assert hidden_blocks("a\n### BEGIN HIDDEN TESTS\nb", "BEGIN HIDDEN TESTS", "END") == [
        Block(1, 2)
    ]
    assert error_line([{"output_type": "error", "traceback": ipython_traceback(4, "x")}]) == 4
    old_ipython = ["<ipython-input-3-abc>, line 2\n    assert f(1) == 1"]
    assert error_line([{"output_type": "error", "traceback": old_ipython}]) == 2
    assert error_line([{"output_type": "stream", "text": "line 9"}]) is None


@pytest.mark.parametrize(
    ("full", "raised_at", "expected"),
    [
        (True, None, [PASSED, PASSED]),
        (False, None, [FAILED, FAILED]),  # lost points without raising: can't say which
        (False, 2, [NOT_RUN, NOT_RUN]),  # raised before the first block
        (False, 5, [FAILED, NOT_RUN]),  # inside the first block
        (False, 9, [PASSED, FAILED]),  # inside the second
    ],
)
def test_block_outcomes(full: bool, raised_at: int | None, expected: list[str]) -> None:
    assert block_outcomes([Block(3, 6), Block(8, 10)], full, raised_at) == expected


def test_nothing_of_a_failed_hidden_test_survives_anywhere_in_the_notebook() -> None:
    error = new_output(
        "error", ename="AssertionError", evalue=SECRET, traceback=ipython_traceback(4, SECRET)
    )
    printed = new_output("stream", name="stdout", text=f"checking {SECRET}\n")
    widget = new_output(
        "display_data",
        data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "text/plain": "w"},
    )
    markdown = new_markdown_cell(f"### BEGIN HIDDEN TESTS\n{SECRET}\n### END HIDDEN TESTS")
    learner = new_code_cell("x = 1", outputs=[widget])
    nb = new_notebook(cells=[learner, graded_test_cell(0, [printed, error]), markdown])
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {"state": SECRET}}

    result = redacted(nb)

    assert "secret_function" not in json.dumps(result)
    cell = result.cells[1]
    assert cell.source.splitlines()[-1] == "# Hidden tests: failed"
    assert cell.metadata.nbgrader.hidden_tests == [FAILED]
    assert [o.text for o in cell.outputs] == [
        "AssertionError in a hidden test\n",
        "(This cell's printed output is withheld: it includes checks not shown here.)\n",
    ]
    assert "checksum" not in cell.metadata.nbgrader
    assert "application/vnd.jupyter.widget-view+json" not in result.cells[0].outputs[0].data


def test_a_visible_failure_keeps_its_message_and_line() -> None:
    error = new_output(
        "error",
        ename="NameError",
        evalue="name 'f' is not defined",
        traceback=ipython_traceback(2, "assert f(1) == 1"),
    )
    result = redacted(new_notebook(cells=[graded_test_cell(0, [error])]))

    cell = result.cells[0]
    assert cell.metadata.nbgrader.hidden_tests == [NOT_RUN]
    assert [o.text for o in cell.outputs] == [
        "NameError: name 'f' is not defined (line 2 of this cell)\n"
    ]
    assert SECRET not in json.dumps(result)


def test_passed_hidden_tests_and_the_other_policies() -> None:
    passed = redacted(new_notebook(cells=[graded_test_cell(1, [])]))
    assert passed.cells[0].source.endswith("# Hidden tests: passed")

    hidden = redacted(new_notebook(cells=[graded_test_cell(1, [])]), policy="hidden")
    assert hidden.cells[0].source == '"""visible tests"""\nassert f(1) == 1'
    assert hidden.cells[0].metadata.nbgrader.hidden_tests == []

    notebook = new_notebook(cells=[graded_test_cell(1, [])])
    revealed = redacted(notebook, policy="after-due", reveal=True)
    assert SECRET in revealed.cells[0].source


def test_a_learners_figure_gets_alt_text_and_a_given_one_stays() -> None:
    png = "iVBORw0KGgo="
    plain = new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    described = new_output("display_data", data={"image/png": png}, metadata={"alt": "speeds"})
    nb = new_notebook(cells=[new_code_cell("plot()", outputs=[plain, described])])

    first, second = redacted(nb).cells[0].outputs

    assert first.metadata["image/png"]["alt"] == "A figure your code drew in this cell"
    assert "alt" not in second.metadata.get("image/png", {})
    assert second.metadata["alt"] == "speeds"
