"""The report's HTML page: the summary, the charts embedded (one file to send), the table."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from course.record import ItemStat

_env = Environment(
    loader=PackageLoader("course.grading.analysis", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)


def _png(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def histogram_alt(shares: list[float]) -> str:
    bands = [0] * 10
    for share in shares:
        bands[min(int(share * 10), 9)] += 1
    counts = ", ".join(f"{10 * i}-{10 * (i + 1)}%: {n}" for i, n in enumerate(bands) if n)
    return f"Bar chart of learners per tenth of the points. {counts or 'No submissions.'}"


def items_alt(items: list[ItemStat]) -> str:
    shares = "; ".join(f"{item.test}: {item.share:.0%}" for item in items)
    return f"Bar chart of the share of learners who passed each test. {shares or 'No tests.'}"


def write_page(
    path: Path,
    *,
    course_title: str,
    assignment: str,
    items: list[ItemStat],
    shares: list[float],
    summary: list[str],
    histogram: Path,
    item_chart: Path,
) -> Path:
    """Write the page to ``path``, the two PNGs embedded as data URIs."""
    html = _env.get_template("report.html.j2").render(
        course_title=course_title,
        assignment=assignment,
        learners=len(shares),
        items=items,
        summary=summary,
        histogram_png=_png(histogram),
        histogram_alt=histogram_alt(shares),
        items_png=_png(item_chart),
        items_alt=items_alt(items),
    )
    path.write_text(html, encoding="utf-8")
    return path
