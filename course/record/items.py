"""Item analysis of the class: how each autograded test went, computed once for every reader.

Built on the record's per-test scores (``ClassRecord.tests``, read from the gradebook
once) and error types (``ClassRecord.errors``). The instructor dashboard's hardest
tests and ``course report``'s item analysis both call ``item_stats``.

Definitions (classical test theory):

* **passed**: the test gave full points (what nbgrader gives a test that raised nothing);
  ``share`` = passed / submissions, the item's difficulty index *p*.
* **discrimination**: the upper-lower 27 % index (Kelley 1939). Learners who have a
  score on the test are ranked by their total score on the assignment (the gradebook's
  submission total, manual points included; ties broken by learner id, so the result is
  reproducible); the top ``n`` and the bottom ``n`` form the upper and lower groups,
  ``n = max(1, round(0.27 × N))`` for ``N`` learners. ``D = p_upper − p_lower``, the
  difference of the groups' shares who passed, from −1 to 1. ``None`` with fewer than
  two learners. Rule of thumb (Ebel): 0.4 and above discriminates very well, 0.3 to
  0.4 well, 0.2 to 0.3 marginally, below 0.2 poorly; negative means weaker learners
  passed more often than stronger ones (look at the test).
* **errors**: among the learners who did not pass, how many raised each error type
  (``AssertionError``, ``NotImplementedError``…), most frequent first (ties by name).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from course.record.classrecord import ClassRecord
from course.record.gradebook import TestScore

UPPER_LOWER_SHARE = 0.27


@dataclass(frozen=True)
class ItemStat:
    """One autograded test: submissions, passes, points, discrimination, why it failed."""

    assignment: str
    test: str
    submissions: int
    passed: int
    max_score: float = 0.0
    mean_score: float = 0.0
    discrimination: float | None = None
    errors: tuple[tuple[str, int], ...] = ()

    @property
    def share(self) -> float:
        """Share of submissions with full points (the difficulty index p)."""
        return self.passed / self.submissions if self.submissions else 0.0

    @property
    def failed(self) -> int:
        return self.submissions - self.passed

    @property
    def common_error(self) -> str | None:
        """The error type most failing submissions raised; None if none raised any."""
        return self.errors[0][0] if self.errors else None


def item_stats(record: ClassRecord) -> list[ItemStat]:
    """Every autograded test of the record, by assignment and test name."""
    by_item: dict[tuple[str, str], list[TestScore]] = defaultdict(list)
    for score in record.tests:
        by_item[(score.assignment, score.test)].append(score)
    totals = _totals(record)
    raised = {(e.learner, e.assignment, e.test): e.error for e in record.errors}
    return [
        _item(assignment, test, scores, totals, raised)
        for (assignment, test), scores in sorted(by_item.items())
    ]


def _item(
    assignment: str,
    test: str,
    scores: list[TestScore],
    totals: dict[tuple[str, str], float],
    raised: dict[tuple[str, str, str], str],
) -> ItemStat:
    failing = [s for s in scores if not s.passed]
    errors = Counter(
        raised[key] for s in failing if (key := (s.learner, assignment, test)) in raised
    )
    return ItemStat(
        assignment=assignment,
        test=test,
        submissions=len(scores),
        passed=len(scores) - len(failing),
        max_score=max(s.max_score for s in scores),
        mean_score=sum(s.score for s in scores) / len(scores),
        discrimination=discrimination(
            [(totals.get((s.learner, assignment), 0.0), s.learner, s.passed) for s in scores]
        ),
        errors=tuple(sorted(errors.items(), key=lambda pair: (-pair[1], pair[0]))),
    )


def _totals(record: ClassRecord) -> dict[tuple[str, str], float]:
    """Each learner's total on each assignment: the submission's score, else the sum of
    their test scores (a gradebook that holds grades without a submission total)."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for score in record.tests:
        totals[(score.learner, score.assignment)] += score.score
    for submission in record.submissions:
        totals[(submission.learner, submission.assignment)] = submission.score
    return totals


def discrimination(results: list[tuple[float, str, bool]]) -> float | None:
    """The upper-lower 27 % index of (total, learner, passed) triples (module docstring)."""
    if len(results) < 2:
        return None
    ranked = sorted(results, key=lambda r: (-r[0], r[1]))
    n = max(1, round(UPPER_LOWER_SHARE * len(ranked)))
    upper = sum(passed for _total, _learner, passed in ranked[:n])
    lower = sum(passed for _total, _learner, passed in ranked[-n:])
    return (upper - lower) / n
