"""Which roster learner a claim names: by id, hub user, email, LMS id, or (for LMS files) name.

Names are the weakest key: a Canvas file is matched by its Canvas user id first
and by its name only when the id is not in the roster; a Moodle file by full name
(its number is a per-assignment participant id). A name two learners share
matches nobody, and says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from course.grading.collect.naming import Claim
from course.record.roster import Learner, Roster


@dataclass(frozen=True)
class Match:
    """The learner a claim names, or None with the reason (``unknown`` or ``ambiguous``)."""

    learner: Learner | None
    reason: str = ""
    how: str = ""


def _canvas_key(text: str) -> str:
    """Canvas's file-name form of a name: lower case ASCII letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9-]", "", text.lower())


def _name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("_", " ").casefold().split())


class Directory:
    """The roster indexed by every key a source may name a learner by."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self._lms: dict[str, Learner] = {}
        self._email: dict[str, Learner] = {}
        self._names: dict[str, list[Learner]] = defaultdict(list)
        self._canvas_names: dict[str, list[Learner]] = defaultdict(list)
        for learner in roster:
            if learner.lms_id:
                self._lms[learner.lms_id.strip()] = learner
            if learner.email:
                self._email[learner.email.casefold()] = learner
            first, last = learner.first_name, learner.last_name
            for full in {f"{first} {last}", f"{last} {first}"}:
                self._names[_name_key(full)].append(learner)
            self._canvas_names[_canvas_key(last + first)].append(learner)

    def match(self, claim: Claim) -> Match:
        if claim.by == "canvas":
            found = self._by_lms(claim.who, "Canvas user id") or self._by_name(
                self._canvas_names.get(_canvas_key(claim.name), []), claim.name, "Canvas name"
            )
            if found.reason == "unknown":
                return Match(
                    None,
                    "unknown",
                    f"no learner in the roster has the Canvas user id {claim.who} "
                    f"(as LMS id) or the Canvas name {claim.name!r}",
                )
            return found
        if claim.by == "moodle":
            return self._by_name(
                self._names.get(_name_key(claim.name), []), claim.name, "Moodle full name"
            )
        return self._by_id(claim.who)

    def _by_id(self, who: str) -> Match:
        learner = (
            self.roster.for_hub_user(who)
            or self.roster.find(who)
            or self._email.get(who.casefold())
            or self._lms.get(who)
        )
        if learner is None:
            return Match(None, "unknown", f"no learner {who!r} in the roster")
        return Match(learner, how="id")

    def _by_lms(self, lms_id: str, what: str) -> Match | None:
        learner = self._lms.get(lms_id)
        return Match(learner, how=what) if learner else None

    def _by_name(self, found: list[Learner], name: str, what: str) -> Match:
        unique = {learner.id: learner for learner in found}
        if len(unique) == 1:
            return Match(next(iter(unique.values())), how=what)
        if unique:
            ids = ", ".join(sorted(unique))
            return Match(None, "ambiguous", f"{what} {name!r} fits several learners ({ids})")
        return Match(None, "unknown", f"no learner in the roster has the {what} {name!r}")
