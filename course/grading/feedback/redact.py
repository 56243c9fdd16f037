"""Hidden tests out of a graded notebook: each hidden block becomes one line, passed or failed.

nbgrader's autograder restores hidden tests (``### BEGIN HIDDEN TESTS`` …
``### END HIDDEN TESTS``) into the test cells before it runs them, so the graded
notebook holds them verbatim, in the cell source and again in every traceback that
quotes the cell's lines or a hidden assertion's message. nbgrader's own feedback
shows all of it (nbgrader #917). ``RedactHiddenTests`` is an nbconvert preprocessor
that runs after nbgrader's ``GetGrades``: it rewrites each test cell that has hidden
blocks and replaces the cell's outputs with a summary that quotes nothing of them.

Whether a hidden block passed is read from where the cell stopped: a cell with full
points passed everything; otherwise the first frame of its traceback names the line
that raised. A block before that line passed, the block holding it failed, a block
after it never ran. A cell that lost points without raising (stderr output, partial
credit) counts its blocks as failed: nothing says which one was short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool, Unicode

PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"
STATUS_LINE = {
    PASSED: "# Hidden tests: passed",
    FAILED: "# Hidden tests: failed",
    NOT_RUN: "# Hidden tests: not run (an earlier check in this cell failed)",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>),\s*line (\d+)")
_WIDGET_MIME = "application/vnd.jupyter.widget"
_IMAGES = ("image/png", "image/jpeg")
IMAGE_ALT = "A figure your code drew in this cell"


@dataclass(frozen=True)
class Block:
    """A hidden-test region of a cell: 0-based line numbers of its BEGIN and END markers."""

    begin: int
    end: int


def hidden_blocks(source: str, begin: str, end: str) -> list[Block]:
    """Every ``BEGIN``…``END`` region of ``source``; an unclosed one runs to the end."""
    found: list[Block] = []
    start: int | None = None
    lines = source.splitlines()
    for number, line in enumerate(lines):
        if start is None and begin in line:
            start = number
        elif start is not None and end in line:
            found.append(Block(start, number))
            start = None
    if start is not None:
        found.append(Block(start, len(lines) - 1))
    return found


def error_line(outputs: list[Any]) -> int | None:
    """The 1-based line of the cell that raised: the first frame of its error's traceback."""
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
        match = _CELL_LINE.search(text)
        if match:
            return int(match.group(1))
    return None


def block_outcomes(blocks: list[Block], full_points: bool, raised_at: int | None) -> list[str]:
    """Passed, failed or not run, for each block (see the module's docstring)."""
    if full_points:
        return [PASSED] * len(blocks)
    if raised_at is None:
        return [FAILED] * len(blocks)
    index = raised_at - 1
    return [
        PASSED if block.end < index else FAILED if block.begin <= index else NOT_RUN
        for block in blocks
    ]


def redacted_source(source: str, blocks: list[Block], lines: list[str | None]) -> str:
    """``source`` with each block replaced by its line (or by nothing, for ``None``)."""
    kept = source.splitlines()
    for block, line in sorted(zip(blocks, lines, strict=True), key=lambda p: -p[0].begin):
        kept[block.begin : block.end + 1] = [line] if line is not None else []
    return "\n".join(kept)


def summary_output(
    outputs: list[Any], raised_at: int | None, blocks: list[Block], *, mention: bool = True
) -> list[Any]:
    """What the learner sees in place of the outputs of a cell with hidden tests.

    The error type always; the message and line only when the raising line is visible
    (before the first hidden block, where the redacted cell's numbering is unchanged).
    ``mention``: say that the error came from a hidden test (not under the ``hidden`` policy).
    Printed output and results are never kept: the hidden checks may print (a partial-credit
    cell lists its checks by name), and nothing tells their lines from the visible ones'.
    """
    errors = [o for o in outputs if o.get("output_type") == "error"]
    withheld = any(o.get("output_type") != "error" for o in outputs)
    note = NotebookNode(
        output_type="stream",
        name="stdout",
        text="(This cell's printed output is withheld: it includes checks not shown here.)\n",
    )
    if not errors:
        return [note] if withheld else []
    ename = str(errors[0].get("ename", "Error"))
    visible = raised_at is not None and all(raised_at - 1 < b.begin for b in blocks)
    if visible:
        text = f"{ename}: {errors[0].get('evalue', '')}".rstrip(": ")
        text += f" (line {raised_at} of this cell)"
    else:
        text = f"{ename} in a hidden test" if mention else f"{ename} in a check not shown here"
    said = NotebookNode(output_type="stream", name="stderr", text=text + "\n")
    return [said, note] if withheld else [said]


def _give_images_alt_text(output: Any) -> None:
    """A learner's plots carry no alt text. nbconvert then writes "No description has been
    provided for this image", and matplotlib's text/plain (``<Figure size … with 1 Axes>``)
    says little more; a screen reader user learns more from where the figure came from."""
    for mime in _IMAGES:
        if mime in output.get("data", {}):
            meta = output.setdefault("metadata", NotebookNode())
            own = meta.setdefault(mime, NotebookNode())
            if isinstance(own, dict) and not own.get("alt") and not meta.get("alt"):
                own["alt"] = IMAGE_ALT


def _is_test_cell(cell: Any) -> bool:
    grading = cell.metadata.get("nbgrader", {})
    return bool(cell.cell_type == "code" and grading.get("grade") and not grading.get("solution"))


class RedactHiddenTests(Preprocessor):
    """Replace hidden-test blocks (and every output that could quote them): in test cells by
    one line each, passed or failed; in any other cell (nbgrader's ``enforce_metadata``
    off) by nothing, its outputs reduced to the error type."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when enabled").tag(config=True)
    policy = Unicode("pass-fail", help="hidden, pass-fail or after-due").tag(config=True)
    reveal = Bool(False, help="Show the hidden tests themselves (after the due date).").tag(
        config=True
    )
    begin = Unicode("BEGIN HIDDEN TESTS", help="nbgrader's begin_test_delimeter").tag(config=True)
    end = Unicode("END HIDDEN TESTS", help="nbgrader's end_test_delimeter").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> Any:
        nb.metadata.pop("widgets", None)  # embedded widget state: data the page need not carry
        return super().preprocess(nb, resources)  # type: ignore[no-untyped-call]

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int) -> Any:
        cell.pop("attachments", None)
        for output in cell.get("outputs", []):
            for mime in [m for m in output.get("data", {}) if m.startswith(_WIDGET_MIME)]:
                del output.data[mime]
            _give_images_alt_text(output)
        blocks = hidden_blocks(cell.source, self.begin, self.end)
        if not blocks or self.reveal:
            return cell, resources
        if not _is_test_cell(cell):  # nbgrader refuses these by default; removed without a word
            cell.source = redacted_source(cell.source, blocks, [None] * len(blocks))
            if "outputs" in cell:
                cell.outputs = summary_output(cell.outputs, None, blocks, mention=False)
            return cell, resources
        grading = cell.metadata.nbgrader
        full = float(grading.get("score") or 0) >= float(grading.get("points") or 0)
        raised_at = error_line(cell.get("outputs", []))
        outcomes = block_outcomes(blocks, full, raised_at)
        shown: list[str | None] = (
            [None] * len(blocks) if self.policy == "hidden" else [STATUS_LINE[o] for o in outcomes]
        )
        cell.source = redacted_source(cell.source, blocks, shown)
        mention = self.policy != "hidden"
        cell.outputs = summary_output(cell.get("outputs", []), raised_at, blocks, mention=mention)
        grading.pop("checksum", None)
        grading["hidden_tests"] = [] if self.policy == "hidden" else outcomes
        return cell, resources
