"""Personal sign-in codes: what a learner types (or scans) to become their roster entry.

A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown
as ``ABCDE-FGHJK``: about 49 bits, short enough to type from a printed sheet, and
the server limits failed tries per address. Only an HMAC digest of each code is
stored in the roster (keyed by the course secret, so a copied roster does not reveal
codes); the codes themselves exist once, on the sheet printed when they are issued.
Issuing new codes for a learner replaces, and so revokes, their old one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from course.record.roster import Roster

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_code() -> str:
    """A fresh random code, grouped for reading: ``ABCDE-FGHJK``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(typed: str) -> str:
    """The code as the learner meant it: case, spaces and dashes do not matter."""
    return _NOT_CODE.sub("", typed.upper())


def digest(key: bytes, typed: str) -> str:
    """What the roster stores for a code (and what a typed code is compared by)."""
    return hmac.new(key, normalise(typed).encode(), hashlib.sha256).hexdigest()


def issue_codes(
    roster: Roster, key: bytes, learner_ids: Iterable[str] | None = None
) -> dict[str, str]:
    """New codes for these learners (all when None), their digests put in the roster.

    Returns id -> code: the only time the codes are known, to print the sheet.
    """
    ids = list(learner_ids) if learner_ids is not None else roster.ids
    codes = {}
    for learner_id in ids:
        learner = roster.get(learner_id)
        code = new_code()
        roster.replace(learner.id, signin=digest(key, code))
        codes[learner.id] = code
    return codes
