"""The class roster: who the learners are, each under one id, the nbgrader student id.

Every part of the kit that says "learner" means a roster id: progress events (the
xAPI actor), live participants, readiness, the dashboard and grades. The roster is
personal data, so it lives in the course's data folder (``layout.roster_path``),
written atomically with mode 0600, never in the repository.

A roster entry also carries what belongs to that person and nobody else: their
deadline extensions, the JupyterHub user name that signs in as them (when it is not
the id itself) and the digest of their personal sign-in code (the code itself is
never stored; see ``course.identity.codes``).
"""

from __future__ import annotations

import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.layout import roster_path
from course.plan import Course

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
ID_RULE = "1-64 letters, digits and . _ @ + -, starting with a letter or digit"
EDITABLE = ("first_name", "last_name", "email", "lms_id", "section", "hub_user")


class RosterError(CourseError):
    """The roster, or a change to it, is invalid; the message names the learner or line."""


@dataclass(frozen=True)
class Learner:
    """One person of the class; ``id`` is their nbgrader student id."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_id: str = ""
    section: str = ""
    hub_user: str = ""
    extensions: dict[str, int] = field(default_factory=dict)  # assignment -> extra minutes
    signin: str = ""  # digest of the personal sign-in code, "" when none was issued

    @property
    def name(self) -> str:
        """The full name as people read it, or the id when the roster has no name."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.id

    def extension(self, assignment: str) -> timedelta:
        """Extra time this learner has on ``assignment`` (zero when none)."""
        return timedelta(minutes=self.extensions.get(assignment, 0))


def check_id(learner_id: str) -> str:
    """``learner_id`` if it can be an nbgrader student id (a folder name), else RosterError."""
    if not ID_PATTERN.match(learner_id):
        raise RosterError(f"learner id {learner_id!r} is not valid: use {ID_RULE}")
    return learner_id


def split_name(full: str) -> tuple[str, str]:
    """(first, last) of a name: 'Lovelace, Ada' and 'Ada Lovelace' both give ('Ada', 'Lovelace')."""
    full = " ".join(full.split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return (first, last) if first else (last, "")


class Roster:
    """The learners of one course, in the order they were added; ids are unique ignoring case."""

    def __init__(self, learners: Iterable[Learner] = ()) -> None:
        self._learners: dict[str, Learner] = {}
        for learner in learners:
            self.add(learner)

    def __iter__(self) -> Iterator[Learner]:
        return iter(self._learners.values())

    def __len__(self) -> int:
        return len(self._learners)

    def __contains__(self, learner_id: object) -> bool:
        return isinstance(learner_id, str) and learner_id.casefold() in self._learners

    @property
    def ids(self) -> list[str]:
        return [learner.id for learner in self]

    def find(self, learner_id: str) -> Learner | None:
        return self._learners.get(learner_id.casefold())

    def get(self, learner_id: str) -> Learner:
        """The learner with this id, or a RosterError that suggests close ids."""
        found = self.find(learner_id)
        if found is None:
            from difflib import get_close_matches

            close = get_close_matches(learner_id, self.ids, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise RosterError(f"no learner {learner_id!r} in the roster{hint}")
        return found

    def for_hub_user(self, hub_user: str) -> Learner | None:
        """The learner a JupyterHub user signs in as: by ``hub_user``, else by an equal id."""
        wanted = hub_user.casefold()
        for learner in self:
            if learner.hub_user and learner.hub_user.casefold() == wanted:
                return learner
        same_id = self.find(hub_user)
        return same_id if same_id is not None and not same_id.hub_user else None

    def for_signin(self, digest: str) -> Learner | None:
        """The learner whose personal sign-in code has this digest."""
        if not digest:
            return None
        found = [learner for learner in self if hmac.compare_digest(learner.signin, digest)]
        return found[0] if found else None

    def add(self, learner: Learner) -> None:
        check_id(learner.id)
        if learner.id in self:
            raise RosterError(f"learner {learner.id!r} is already in the roster")
        self._learners[learner.id.casefold()] = learner

    def replace(self, learner_id: str, **changes: Any) -> Learner:
        """Change some fields of one learner; the id itself never changes (it keys their work)."""
        unknown = set(changes) - {*EDITABLE, "extensions", "signin"}
        if unknown:
            raise RosterError(f"cannot change {', '.join(sorted(unknown))} of a learner")
        changed = replace(self.get(learner_id), **changes)
        self._learners[learner_id.casefold()] = changed
        return changed

    def remove(self, learner_id: str) -> Learner:
        learner = self.get(learner_id)
        del self._learners[learner_id.casefold()]
        return learner


def due(course: Course, learner: Learner | None, assignment: str) -> datetime:
    """When ``assignment`` is due for ``learner``: the plan's due date plus their extension.

    The one place this rule lives: nbgrader's submissions, the learner's workspace
    plan and the sign-in sheet all ask here.
    """
    exercises = {m.exercise.assignment: m.exercise for m in course.modules if m.exercise}
    if assignment not in exercises:
        known = ", ".join(exercises) or "none"
        raise RosterError(f"{assignment!r} is not an exercise of {course.id} (exercises: {known})")
    planned = course.localize(exercises[assignment].due)
    return planned + (learner.extension(assignment) if learner else timedelta())


def load_roster(course: Course) -> Roster:
    """The course's roster; an empty one when none was imported yet."""
    return read_roster(roster_path(course))


def read_roster(path: Path) -> Roster:
    if not path.exists():
        return Roster()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            raise RosterError(f"{path}: roster format {data.get('version')!r} is not supported")
        return Roster(_learner(entry) for entry in data["learners"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RosterError(f"{path}: cannot read the roster ({error})") from None


def _learner(entry: dict[str, Any]) -> Learner:
    known = {name for name in Learner.__dataclass_fields__}
    return Learner(**{k: v for k, v in entry.items() if k in known})


def save_roster(course: Course, roster: Roster) -> Path:
    """Write the roster atomically (a reader sees the old or the new one), readable by us only."""
    path = roster_path(course)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": FORMAT_VERSION, "learners": [asdict(learner) for learner in roster]}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".roster-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
