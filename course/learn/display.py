"""What the learner sees: every result carries HTML for the browser and plain text for the rest.

Notebooks run under nbval, nbconvert or a plain terminal only keep ``text/plain``,
so that text has to read well on its own, not be a Python ``repr``.
"""

from __future__ import annotations

import html
import reprlib
from itertools import islice
from typing import Any


class _AsWritten(reprlib.Repr):
    """reprlib, but a dict keeps the order its keys were written in (reprlib sorts them)."""

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{" + self.fillvalue + "}"
        pieces = [
            f"{self.repr1(key, level - 1)}: {self.repr1(x[key], level - 1)}"
            for key in islice(x, self.maxdict)
        ]
        if len(x) > self.maxdict:
            pieces.append(self.fillvalue)
        return "{" + ", ".join(pieces) + "}"


_SHORT = _AsWritten()
_SHORT.maxstring = 120
_SHORT.maxother = 120
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxdict = 12

COLORS = {"ok": "#1a7f37", "fail": "#cf222e", "info": "#0969da", "muted": "#57606a"}
MARKS = {"ok": "✔", "fail": "✘", "info": "💡", "muted": "·"}


def short(value: Any) -> str:
    """A repr that fits on a line, so a long list does not drown the message.

    Values read as the learner would write them: a dict's keys stay in their order.
    """
    return _SHORT.repr(value)


class Line:
    """One line of feedback: a kind (ok, fail, info, muted) and its text."""

    def __init__(self, kind: str, text: str, code: str | None = None) -> None:
        self.kind, self.text, self.code = kind, text, code

    def plain(self) -> str:
        body = f"{MARKS[self.kind]} {self.text}"
        if self.code:
            body += "\n" + "\n".join("    " + row for row in self.code.splitlines())
        return body

    def html(self) -> str:
        color = COLORS[self.kind]
        body = f'<span style="color:{color}">{MARKS[self.kind]}</span> {html.escape(self.text)}'
        if self.code:
            body += f"<pre style='margin:4px 0 4px 1.5em'>{html.escape(self.code)}</pre>"
        return f"<div>{body}</div>"


class Panel:
    """A titled block of lines, shown once as the last expression of a cell.

    Results are returned, not printed, so tests and text mode can read them and the
    notebook shows them the usual way (put ``ex.check()`` last in its cell).
    """

    def __init__(self, title: str, lines: list[Line]) -> None:
        self.title, self.lines = title, lines

    def text(self) -> str:
        return "\n".join([self.title, *(line.plain() for line in self.lines)])

    def _repr_html_(self) -> str:
        rows = "".join(line.html() for line in self.lines)
        return (
            "<div style='border-left:4px solid #d0d7de;padding:4px 10px'>"
            f"<b>{html.escape(self.title)}</b>{rows}</div>"
        )

    def __repr__(self) -> str:
        return self.text()


def widget_bundle(widget: Any, text: str, html_text: str) -> dict[str, Any]:
    """The widget's own bundle, with readable text and HTML for renderers without widgets."""
    data = dict(widget._repr_mimebundle_())
    data["text/plain"] = text
    data["text/html"] = html_text
    return data


def figure(fig: Any, alt: str) -> None:
    """Show a matplotlib figure as a PNG with alternative text, and close it.

    ``plt.show()`` gives a bare ``image/png`` output, which JupyterLab, Voila and the
    exported pages render as an ``<img>`` without ``alt``: a screen reader says nothing
    of the chart. ``alt`` should say what the chart shows (its kind, axes and the
    values that matter), since it stands for the whole picture.
    """
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = alt.strip()
    image = f'<img src="data:image/png;base64,{data}" alt="{html.escape(text, quote=True)}">'
    display({"text/html": image, "text/plain": text}, raw=True)
