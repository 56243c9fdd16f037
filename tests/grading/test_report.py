"""``course report``: plots and page that show the data, and error types from real grading.

The plots are read back as pixels: a bar chart of a hand-made class must have its bars
where the data says (their lengths in the data's proportions), not just be a PNG.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from course.cli import main
from course.grading.analysis import ReportError, report
from course.plan import Course
from course.record import ClassRecord, Submission, TestScore, item_stats, load_class
from tests.grading.graded_class import ASSIGNMENT, make_graded_class

BAR = np.array([0x14, 0x36, 0x5D]) / 255  # the plots' bar colour, #14365d

# t1 passed by 5 of 6 learners, t2 by 2, t3 by 3; totals 10, 8, 6, 5, 3, 1 of 10
PASSED = {"t1": "abcde", "t2": "ac", "t3": "def"}
TOTALS = {"a": 10, "b": 8, "c": 6, "d": 5, "e": 3, "f": 1}


@pytest.fixture
def record() -> ClassRecord:
    tests = tuple(
        TestScore(learner, ASSIGNMENT, test, 1.0 if learner in passed else 0.0, 1.0)
        for test, passed in PASSED.items()
        for learner in TOTALS
    )
    submissions = tuple(Submission(k, ASSIGNMENT, float(v), 10.0) for k, v in TOTALS.items())
    return ClassRecord(frozenset(TOTALS), (), submissions, tests)


def bar_mask(path: Path) -> np.ndarray:
    pixels = imread(path)[:, :, :3]
    return np.all(np.abs(pixels - BAR) < 0.02, axis=2)


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(int), [0]])))
    return list(zip(edges[::2], edges[1::2], strict=True))


def test_item_chart_draws_one_bar_per_test_in_proportion(
    course_copy: Course, record: ClassRecord
) -> None:
    result = report(course_copy, ASSIGNMENT, record)

    mask = bar_mask(result.item_chart)
    bars = runs(mask.any(axis=1))  # rows with bar pixels, top to bottom: t1, t2, t3
    assert len(bars) == 3, bars
    lengths = [int(mask[start:end].sum(axis=1).max()) for start, end in bars]
    # 5/6, 2/6 and 3/6 of the axis: lengths in the ratio 5 : 2 : 3
    assert lengths[0] / lengths[1] == pytest.approx(5 / 2, rel=0.03)
    assert lengths[2] / lengths[1] == pytest.approx(3 / 2, rel=0.03)


def test_score_histogram_has_a_bar_per_occupied_band(
    course_copy: Course, record: ClassRecord
) -> None:
    result = report(course_copy, ASSIGNMENT, record)

    mask = bar_mask(result.histogram)
    # shares 0.1, 0.3, 0.5, 0.6, 0.8, 1.0 fall in six different tenths, one learner each
    bars = runs(mask.any(axis=0))
    assert len(bars) == 6, bars
    heights = [int(mask[:, start:end].sum(axis=0).max()) for start, end in bars]
    assert max(heights) - min(heights) <= 1 and min(heights) > 20


def test_page_embeds_both_plots_and_names_the_weakest_items(
    course_copy: Course, record: ClassRecord
) -> None:
    result = report(course_copy, ASSIGNMENT, record)

    page = result.page.read_text()
    embedded = [
        base64.b64decode(d) for d in re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    ]
    assert embedded == [result.histogram.read_bytes(), result.item_chart.read_bytes()]
    weakest = re.findall(r"<li>(t\d) \(ps1\)", page)
    assert weakest == ["t2", "t3", "t1"]  # 2/6, 3/6, 5/6 passed
    assert "2 of 6 learners (33%) passed" in page
    assert result.items == item_stats(record)


def test_unknown_and_ungraded_assignments_are_named(course_copy: Course) -> None:
    with pytest.raises(ReportError, match="'ps9' is not an assignment"):
        report(course_copy, "ps9")
    with pytest.raises(ReportError, match="course grade ps2"):
        report(course_copy, "ps2")


@pytest.fixture(scope="module")
def graded(course_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course]:
    yield make_graded_class(tmp_path_factory.mktemp("report") / "course", course_root)


@pytest.mark.slow
def test_error_types_come_from_the_graded_notebooks(graded: Course) -> None:
    stats = {s.test: s for s in item_stats(load_class(graded))}

    # blank and half never wrote fast_trips: the template's NotImplementedError, twice
    fast = stats["test-fast-trips"]
    assert (fast.submissions, fast.passed) == (3, 1)
    assert fast.errors == (("NotImplementedError", 2),)
    # N = 3, n = 1: full (upper) passed, blank (lower) did not
    assert fast.discrimination == 1.0
    # half's average_speed is right: only blank fails it
    assert stats["test-average-speed-values"].passed == 2


@pytest.mark.slow
def test_cli_report_prints_the_table_and_writes_the_files(graded: Course) -> None:
    result = CliRunner().invoke(main, ["--course", str(graded.root), "report", ASSIGNMENT])

    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert "test-fast-trips" in words and "NotImplementedError" in words
    assert "1. " in words and "learners" in words
    folder = graded.data_path / "reports" / ASSIGNMENT
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "items.png", "scores.png"]
