"""Static checks of learner notebooks: what a screen reader or a fresh clone would trip on."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from course.check.result import Verdict
from course.outputs import stored_outputs

CLEAR_OUTPUTS = "course check --clear-outputs"
SHOWN_CELLS = 8  # a lesson tried in JupyterLab can hold dozens: name the first few

_MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)")


class _ImagesWithoutAlt(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and not (values.get("alt") or "").strip():
            self.sources.append(values.get("src") or "?")


def images_without_alt(markdown: str) -> list[str]:
    """Sources of images in a markdown cell that carry no alternative text."""
    missing = [m["src"] for m in _MARKDOWN_IMAGE.finditer(markdown) if not m["alt"].strip()]
    parser = _ImagesWithoutAlt()
    parser.feed(markdown)
    return missing + parser.sources


def lint_notebook(path: Path, *, label: str) -> list[Verdict]:
    """Alt text on every image and no stored outputs, each reported with its cell number."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return []  # running the notebook reports an unreadable file once, with its reason
    no_alt: list[str] = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "markdown":
            no_alt += [f"cell {number} ({src})" for src in images_without_alt(cell.source)]
    return [
        _verdict(label, "images have alt text", no_alt, "images without alt text"),
        _outputs_verdict(label, stored_outputs(notebook)),
    ]


def _outputs_verdict(label: str, cells: list[int]) -> Verdict:
    """Which cells hold outputs (the first few of many), and the command that clears them."""
    if not cells:
        return Verdict("lint", f"{label}: outputs cleared", True)
    shown = ", ".join(str(n) for n in cells[:SHOWN_CELLS]) + (
        ", …" if len(cells) > SHOWN_CELLS else ""
    )
    where = f"cell {shown}" if len(cells) == 1 else f"{len(cells)} cells ({shown})"
    detail = f"outputs stored in {where}; run `{CLEAR_OUTPUTS}` to clear them"
    return Verdict("lint", f"{label}: outputs cleared", False, detail)


def _verdict(label: str, what: str, offenders: list[str], problem: str) -> Verdict:
    if offenders:
        return Verdict("lint", f"{label}: {what}", False, f"{problem}: {', '.join(offenders)}")
    return Verdict("lint", f"{label}: {what}", True)
