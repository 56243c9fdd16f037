"""What a collection did: submissions taken, files skipped and why; kept as JSON per run.

The record is the machine-readable twin of the table ``course collect`` prints:
``collected/<assignment>/<UTC time>.json`` in the data folder, one per run (none
for a dry run), so what came from where stays known after the source is gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

# why a file was not taken; the record and the table use these words
DUPLICATE = "duplicate"
OLDER = "older"
ALREADY = "already collected"
UNKNOWN = "unknown learner"
AMBIGUOUS = "ambiguous learner"
NOT_NOTEBOOK = "not a notebook"
EMPTY = "empty"
CORRUPT = "corrupt"
TOO_LARGE = "too large"
REFUSED = "refused"
UNEXPECTED = "not in the assignment"
UNNAMED = "no learner"


@dataclass(frozen=True)
class Taken:
    """A learner's submission written to ``submitted/<learner>/<assignment>/``."""

    learner: str
    notebooks: list[str]
    timestamp: str  # ISO 8601, UTC
    due: str  # the learner's due date (extension included), ISO 8601
    late: bool
    lms_late: bool  # the LMS's own mark (Canvas's LATE), kept as it said
    replaced: str | None  # the timestamp of the submission this one replaced
    origins: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """A file (or a learner's submission) not taken, and why."""

    origin: str
    reason: str
    detail: str
    learner: str | None = None


@dataclass
class CollectReport:
    """The outcome of one ``collect``; ``record`` is where its JSON went (None: dry run)."""

    assignment: str
    source: str
    kind: str
    started: str
    dry_run: bool = False
    taken: list[Taken] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    record: Path | None = None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["record"] = str(self.record) if self.record else None
        return data


def write_record(report: CollectReport, folder: Path, now: datetime) -> Path:
    """The report as JSON in ``folder``, named by the run's UTC time; never overwrites one."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = now.strftime("%Y%m%dT%H%M%S.%fZ")
    path = folder / f"{stem}.json"
    report.record = path
    text = json.dumps(report.as_dict(), indent=1, ensure_ascii=False) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    return path
