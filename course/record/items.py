"""Per-test numbers of the class: how many submissions passed each autograded test.

Built on the record's per-test scores (``ClassRecord.tests``), which are read from
the gradebook once; the dashboard's hardest tests and ``course report``'s item
analysis start from these.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from course.record.classrecord import ClassRecord


@dataclass(frozen=True)
class ItemStat:
    """How many submissions earned full points on one autograded test."""

    assignment: str
    test: str
    submissions: int
    passed: int

    @property
    def share(self) -> float:
        return self.passed / self.submissions if self.submissions else 0.0


def item_stats(record: ClassRecord) -> list[ItemStat]:
    """Every autograded test with its submissions and passes, by assignment and test name."""
    seen: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for score in record.tests:
        counts = seen[(score.assignment, score.test)]
        counts[0] += 1
        counts[1] += score.passed
    return [ItemStat(a, name, n, passed) for (a, name), (n, passed) in sorted(seen.items())]
