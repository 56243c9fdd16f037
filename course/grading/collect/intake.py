"""``collect``: submissions from the exchange, a folder or an LMS zip, into ``submitted/``.

Every file goes through the same steps: whose it is (``naming``, then the roster
through ``matching``), whether it can be taken (a notebook, not empty, valid, not
too large, not a link), which of several copies counts (the newest), and whether it
is new against what ``submitted/`` already holds. A submission is written whole,
with nbgrader's ``timestamp.txt``, in one rename; a newer one replaces an older
only after the older is moved to ``collected/<assignment>/replaced/``, and the
report says so. Nothing is ever overwritten silently, and a second run of the
same source takes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from course.grading.collect import record as why
from course.grading.collect.entries import (
    CollectError,
    Entry,
    Limits,
    TooLarge,
    folder_entries,
    zip_entries,
)
from course.grading.collect.matching import Directory
from course.grading.collect.naming import (
    CANVAS,
    EXCHANGE,
    Claim,
    exchange_claim,
    folder_claim,
    lms_claim,
)
from course.grading.collect.record import CollectReport, Skipped, Taken, write_record
from course.layout import (
    collect_records_folder,
    exchange_folder,
    release_folder,
    submission_folder,
)
from course.plan import Course
from course.record.roster import Learner, due, load_roster

TIMESTAMP_FILE = "timestamp.txt"
# nbgrader's submit writes it; its release_feedback names a learner's feedback with it,
# so it travels with an exchange submission to submitted/ (and on to autograded/)
SECRET_FILE = "submission_secret.txt"
NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format
_RESUBMITTED = re.compile(r"^(?P<stem>.+?)-\d+(?P<suffix>\.ipynb)$", re.IGNORECASE)
_SAFE_NAME = re.compile(r"^[\w][\w .()+-]{0,200}\.ipynb$")


@dataclass
class _Notebook:
    """A notebook that passed the checks: whose, its name in the submission, its bytes."""

    learner: Learner
    name: str
    data: bytes
    timestamp: datetime
    claim: Claim
    notes: list[str] = field(default_factory=list)


def collect(
    course: Course,
    assignment: str,
    source: Path | str,
    *,
    dry_run: bool = False,
    limits: Limits | None = None,
    now: datetime | None = None,
) -> CollectReport:
    """Bring in the submissions of ``assignment`` from ``source``: ``"exchange"``, a folder, a zip.

    Returns what was taken and what was skipped and why; with ``dry_run`` nothing
    is written. Raises ``CollectError`` for a source that cannot be read at all and
    ``PermissionError`` for a zip built to escape its folder.
    """
    if assignment not in course.assignments():
        known = ", ".join(course.assignments()) or "none"
        raise CollectError(f"{assignment!r} is not an assignment of {course.id} (known: {known})")
    limits = limits or Limits()
    now = now or datetime.now(UTC)
    kind, root = resolve_source(course, source)
    report = CollectReport(assignment, str(root), kind, now.isoformat(), dry_run)
    directory = Directory(load_roster(course))
    # one pass: a zip's entries are read while the archive is open
    secrets: dict[str, bytes] = {}  # exchange submission folder -> its submission secret
    claims = _claims(course, assignment, kind, root, limits, report, secrets)
    notebooks = list(_checked(claims, directory, limits, report))
    expected = expected_notebooks(course, assignment)
    for chosen in _chosen(notebooks, kind, expected, report).values():
        secret = secrets.get(chosen[0].claim.entry.parts[0]) if kind == EXCHANGE else None
        _take(course, assignment, chosen, report, dry_run=dry_run, secret=secret)
    if not dry_run:
        write_record(report, collect_records_folder(course, assignment), now)
    return report


def resolve_source(course: Course, source: Path | str) -> tuple[str, Path]:
    """(kind, folder or file): ``exchange`` (the inbound folder), ``zip`` or ``folder``."""
    if str(source) == "exchange":
        source = exchange_folder(course)
    path = Path(source)
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise CollectError(f"{path}: not a zip archive nor a folder")
        return "zip", path
    if not path.is_dir():
        raise CollectError(f"{path}: no such folder or zip archive")
    for inbound in (path / course.id / "inbound", path / "inbound"):
        if inbound.is_dir():
            return EXCHANGE, inbound
    if path.name == "inbound":
        return EXCHANGE, path
    return "folder", path


def expected_notebooks(course: Course, assignment: str) -> list[str]:
    """The notebook file names of the assignment: its release if built, else its source."""
    for folder in (release_folder(course, assignment), course.exercise_folder(assignment)):
        names = sorted(path.name for path in folder.glob("*.ipynb"))
        if names:
            return names
    return []


def _claims(
    course: Course,
    assignment: str,
    kind: str,
    root: Path,
    limits: Limits,
    report: CollectReport,
    secrets: dict[str, bytes],
) -> Iterator[Claim]:
    entries: Iterable[Entry]
    if kind == "zip":
        entries = zip_entries(root, course.tz, limits)
    elif kind == EXCHANGE:
        entries = folder_entries(root, limits, top=lambda name: f"+{assignment}+" in name)
    else:
        entries = folder_entries(root, limits)
    for entry in entries:
        if kind == EXCHANGE:
            claim = exchange_claim(entry, assignment)
            if claim is None:
                if entry.kind != "file" and f"+{assignment}+" in entry.parts[0]:
                    report.skipped.append(
                        Skipped(entry.path, why.REFUSED, f"a {entry.kind} in the exchange")
                    )
                continue  # another assignment's submission
            if claim.file == TIMESTAMP_FILE:
                continue  # nbgrader's own record of the time, read from the folder name
            if claim.file == SECRET_FILE and entry.kind == "file":
                try:
                    secrets[entry.parts[0]] = entry.read(64 * 1024)
                    continue
                except (OSError, TooLarge):
                    pass  # reported below like any other file that is not a notebook
        else:
            claim = lms_claim(entry) or folder_claim(entry, assignment)
            if claim is None:
                report.skipped.append(
                    Skipped(
                        entry.path,
                        why.UNNAMED,
                        "its name says no learner (expected a folder per learner, "
                        "or Canvas's or Moodle's download naming)",
                    )
                )
                continue
        yield claim


def _checked(
    claims: Iterable[Claim], directory: Directory, limits: Limits, report: CollectReport
) -> Iterator[_Notebook]:
    for claim in claims:
        origin = claim.entry.path
        match = directory.match(claim)
        who = match.learner.id if match.learner else None
        problem = _refusal(claim)
        if problem:
            report.skipped.append(Skipped(origin, problem[0], problem[1], who))
            continue
        if match.learner is None:
            reason = why.AMBIGUOUS if match.reason == "ambiguous" else why.UNKNOWN
            report.skipped.append(Skipped(origin, reason, match.how))
            continue
        try:
            data = claim.entry.read(limits.file_bytes)
        except TooLarge:
            size = f"more than {limits.file_bytes // (1024 * 1024)} MB"
            report.skipped.append(Skipped(origin, why.TOO_LARGE, size, who))
            continue
        except PermissionError as error:
            report.skipped.append(Skipped(origin, why.REFUSED, str(error), who))
            continue
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            report.skipped.append(Skipped(origin, why.CORRUPT, f"cannot be read: {error}", who))
            continue
        broken = notebook_problem(data)
        if broken:
            report.skipped.append(Skipped(origin, broken[0], broken[1], who))
            continue
        if claim.timestamp is None:
            detail = "its time cannot be read from the exchange folder's name"
            report.skipped.append(Skipped(origin, why.CORRUPT, detail, who))
            continue
        name = PurePosixPath(claim.file).name
        # a name is a weaker key than an id: say so where it was used
        notes = [f"matched by {match.how}"] if "name" in match.how else []
        stranger = _stranger(claim, match.learner)
        if stranger:
            notes.append(stranger)
        yield _Notebook(match.learner, name, data, claim.timestamp, claim, notes)


def _stranger(claim: Claim, learner: Learner) -> str | None:
    """nbgrader's ``check_owner``: an exchange file owned by another system user than the
    learner it names (files of the user collecting, the instructor's, are trusted)."""
    owner = claim.entry.owner
    if claim.scheme != EXCHANGE or owner is None or owner == os.getuid():
        return None
    import pwd

    try:
        name = pwd.getpwuid(owner).pw_name
    except KeyError:
        name = f"uid {owner}"
    if name in (learner.id, learner.hub_user):
        return None
    return f"CHECK: owned by {name}, not {learner.id}; submitted in another's name?"


def _refusal(claim: Claim) -> tuple[str, str] | None:
    """Why a file is never taken, whatever it holds; None when it may be."""
    entry = claim.entry
    if entry.kind != "file":
        return why.REFUSED, f"a {'symbolic link' if entry.kind == 'link' else 'special file'}"
    hidden = [part for part in entry.parts if part.startswith(".") or part == "__MACOSX"]
    if hidden:
        return why.NOT_NOTEBOOK, f"a hidden or system file ({hidden[0]})"
    if not claim.file.lower().endswith(".ipynb"):
        return why.NOT_NOTEBOOK, "only notebooks (.ipynb) are collected"
    if "/" in claim.file:
        return why.UNEXPECTED, "a notebook in a subfolder of the submission"
    return None


def notebook_problem(data: bytes) -> tuple[str, str] | None:
    """(reason, detail) when ``data`` is not a readable, valid notebook; None when it is."""
    import nbformat  # imported here: nbformat and jsonschema take a while

    if not data.strip():
        return why.EMPTY, "the file is empty"
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except UnicodeDecodeError:
        return why.CORRUPT, "not UTF-8 text"
    except Exception as error:  # nbformat raises JSON, validation and several other errors
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return why.CORRUPT, f"not a valid notebook: {first[:200]}"
    return None


def _chosen(
    notebooks: list[_Notebook], kind: str, expected: list[str], report: CollectReport
) -> dict[str, list[_Notebook]]:
    """Per learner, the notebooks to take: the newest copy of each, named as the assignment's."""
    by_learner: dict[str, list[_Notebook]] = defaultdict(list)
    for notebook in notebooks:
        by_learner[notebook.learner.id].append(notebook)
    chosen = {}
    for learner_id, found in by_learner.items():
        if kind == EXCHANGE:
            found = _newest_folder(found, report)
        found = [_renamed(notebook, expected) for notebook in found]
        found = _newest_per_name(found, report)
        found = _assignment_names(found, expected, report)
        if found:
            chosen[learner_id] = found
    return chosen


def _newest_folder(found: list[_Notebook], report: CollectReport) -> list[_Notebook]:
    """nbgrader's rule for the exchange: a learner's newest submission, whole."""
    newest = max(notebook.timestamp for notebook in found)
    for notebook in found:
        if notebook.timestamp < newest:
            detail = f"an earlier submission ({_iso(notebook.timestamp)}; newest {_iso(newest)})"
            report.skipped.append(
                Skipped(notebook.claim.entry.path, why.OLDER, detail, notebook.learner.id)
            )
    return [notebook for notebook in found if notebook.timestamp == newest]


def _renamed(notebook: _Notebook, expected: list[str]) -> _Notebook:
    """Canvas's resubmission suffix (``ps1-1.ipynb``) off, when that gives an assignment name."""
    resubmitted = _RESUBMITTED.match(notebook.name)
    if notebook.claim.scheme == CANVAS and resubmitted and notebook.name not in expected:
        original = resubmitted["stem"] + resubmitted["suffix"]
        if original in expected:
            notebook.notes.append(f"renamed from {notebook.name} (Canvas resubmission)")
            notebook.name = original
    return notebook


def _newest_per_name(found: list[_Notebook], report: CollectReport) -> list[_Notebook]:
    keep: dict[str, _Notebook] = {}
    for notebook in sorted(found, key=lambda n: n.timestamp, reverse=True):
        kept = keep.setdefault(notebook.name, notebook)
        if kept is not notebook:
            detail = (
                f"another copy of {notebook.name} for {notebook.learner.id} "
                f"({kept.claim.entry.path}, {_iso(kept.timestamp)}) is newer or as new"
            )
            report.skipped.append(
                Skipped(notebook.claim.entry.path, why.DUPLICATE, detail, notebook.learner.id)
            )
    return list(keep.values())


def _assignment_names(
    found: list[_Notebook], expected: list[str], report: CollectReport
) -> list[_Notebook]:
    """The assignment's notebooks; a lone notebook takes the name of a one-notebook assignment."""
    if not expected:
        return found
    if len(expected) == 1 and len(found) == 1 and found[0].name != expected[0]:
        found[0].notes.append(f"renamed from {found[0].name} (the assignment's one notebook)")
        found[0].name = expected[0]
    kept = []
    for notebook in found:
        if notebook.name in expected and _SAFE_NAME.match(notebook.name):
            kept.append(notebook)
        else:
            detail = f"{notebook.name} is not a notebook of the assignment ({', '.join(expected)})"
            report.skipped.append(
                Skipped(notebook.claim.entry.path, why.UNEXPECTED, detail, notebook.learner.id)
            )
    return kept


def _take(
    course: Course,
    assignment: str,
    notebooks: list[_Notebook],
    report: CollectReport,
    *,
    dry_run: bool,
    secret: bytes | None = None,
) -> None:
    learner = notebooks[0].learner
    timestamp = max(notebook.timestamp for notebook in notebooks)
    origins = [notebook.claim.entry.path for notebook in notebooks]
    dest = submission_folder(course, learner.id, assignment)
    replaced = None
    if dest.exists() or dest.is_symlink():
        verdict = _against_existing(dest, notebooks, timestamp)
        if verdict is not None:
            for origin in origins:
                report.skipped.append(Skipped(origin, verdict[0], verdict[1], learner.id))
            return
        replaced = _existing_time(dest)
    learner_due = due(course, learner, assignment)
    notes = [note for notebook in notebooks for note in notebook.notes]
    if replaced is not None:
        notes.append(f"replaces the submission of {_iso(replaced)} (kept in collected/)")
    report.taken.append(
        Taken(
            learner.id,
            sorted(notebook.name for notebook in notebooks),
            _iso(timestamp),
            learner_due.isoformat(),
            timestamp > learner_due,
            any(notebook.claim.lms_late for notebook in notebooks),
            _iso(replaced) if replaced else None,
            origins,
            sorted(set(notes)),
        )
    )
    if not dry_run:
        _write(course, assignment, dest, notebooks, timestamp, replaced, secret)


def _against_existing(
    dest: Path, notebooks: list[_Notebook], timestamp: datetime
) -> tuple[str, str] | None:
    """Why the submission already in ``dest`` stays; None when this newer one replaces it."""
    if dest.is_symlink() or not dest.is_dir():
        return why.REFUSED, f"{dest} is not a folder; not overwritten"
    there = {path.name: _digest(path.read_bytes()) for path in dest.glob("*.ipynb")}
    here = {notebook.name: _digest(notebook.data) for notebook in notebooks}
    if there == here:
        return why.ALREADY, "the same notebooks are already in submitted/"
    existing = _existing_time(dest)
    if existing is None:
        return (
            why.OLDER,
            f"{dest} holds a submission without a readable {TIMESTAMP_FILE}; "
            "it is kept (move it away to collect this one)",
        )
    if timestamp <= existing:
        return (
            why.OLDER,
            f"the submission already collected ({_iso(existing)}) is newer or as new "
            f"as this one ({_iso(timestamp)}); it is kept",
        )
    return None


def _existing_time(dest: Path) -> datetime | None:
    from nbgrader.utils import parse_utc

    try:
        text = (dest / TIMESTAMP_FILE).read_text(encoding="utf-8").strip()
        return parse_utc(text).replace(tzinfo=UTC) if text else None
    except (OSError, ValueError, OverflowError):
        return None


def _write(
    course: Course,
    assignment: str,
    dest: Path,
    notebooks: list[_Notebook],
    timestamp: datetime,
    replaced: datetime | None,
    secret: bytes | None,
) -> None:
    """The submission folder, made beside ``dest`` and renamed into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.parent / f".{dest.name}.collect-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    for notebook in notebooks:
        (partial / notebook.name).write_bytes(notebook.data)
    stamp = timestamp.astimezone(UTC).strftime(NBGRADER_TIME)
    (partial / TIMESTAMP_FILE).write_text(stamp + "\n", encoding="utf-8")
    if secret is not None:
        (partial / SECRET_FILE).write_bytes(secret)
    if replaced is not None:
        keep = collect_records_folder(course, assignment) / "replaced" / notebooks[0].learner.id
        keep.mkdir(parents=True, exist_ok=True)
        target = keep / replaced.strftime("%Y%m%dT%H%M%S.%fZ")
        if target.exists():
            target = target.with_name(f"{target.name}-{os.getpid()}")
        os.rename(dest, target)
    os.rename(partial, dest)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
