"""The report's charts as PNG files: score distribution and each test's share who passed.

Drawn on matplotlib's Agg canvas through ``Figure`` (no pyplot, no GUI backend, no
global state), so a server or a test can call them in any thread.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course.record import ItemStat

BAR = "#14365d"
BINS = 10


def score_histogram(shares: list[float], path: Path, title: str) -> Path:
    """Submissions per tenth of the points (0–10 %, …, 90–100 %; a full score in the last)."""
    counts = [0] * BINS
    for share in shares:
        counts[min(int(share * BINS), BINS - 1)] += 1
    labels = [f"{10 * i}–{10 * (i + 1)}" for i in range(BINS)]
    figure = Figure(figsize=(7, 3.2), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.bar(labels, counts, color=BAR)
    axes.set_xlabel("% of points")
    axes.set_ylabel("learners")
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=45)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.savefig(path, format="png")
    return path


def item_bars(items: list[ItemStat], path: Path, title: str) -> Path:
    """One horizontal bar per test: the share of learners who passed it."""
    figure = Figure(figsize=(7, 0.45 * len(items) + 1.4), dpi=100, layout="constrained")
    axes = figure.subplots()
    names = [item.test for item in items]
    shares = [100 * item.share for item in items]
    axes.barh(names, shares, color=BAR)
    axes.invert_yaxis()  # the first test on top, as in the table
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of learners who passed")
    axes.set_title(title)
    for y, share in enumerate(shares):
        axes.text(min(share + 1, 88), y, f"{share:.0f}%", va="center")
    figure.savefig(path, format="png")
    return path
