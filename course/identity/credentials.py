"""Event credentials: what a learner's kernel holds to post that learner's progress events.

A credential is ``cev1.<payload>.<signature>``: the payload (base64url JSON) names the
subject (a roster id, or an instructor's id), the scope (``events:post``) and the
subject's generation; the signature is an HMAC-SHA256 with the course server's
event-credential key (``course.identity.keys``). The server takes the actor of every
event from the credential it came with, never from the event body, so a kernel can
post as its own learner and nobody else.

Revoking is per subject: it raises the subject's generation, and every credential
issued before stops verifying; the next kernel (or the credential file the server
rewrites in the learner's data folder) carries a new one. Events a kernel queued
under the old credential keep their ids, so once they are sent with the new one
the server stores each exactly once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.layout import secrets_folder
from course.plan import Course

PREFIX = "cev1"
EVENTS = "events:post"
SCOPES = (EVENTS,)
MAX_LENGTH = 1000
GENERATIONS_FILE = "credential-generations.json"


class CredentialError(CourseError):
    """A credential that does not verify; ``reason`` is short, for a 403 reply."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class Credential:
    """What a verified credential says."""

    subject: str
    scope: str
    generation: int
    issued_at: int


class Credentials:
    """Issues, verifies and revokes the credentials of one course server.

    ``state`` is a JSON file of subject -> generation, re-read when it changes on disk,
    so a revocation made from the command line reaches a running server.
    """

    def __init__(self, key: bytes, state: Path) -> None:
        self._key, self._state = key, state
        self._generations: dict[str, int] = {}
        self._stamp: tuple[int, int] | None = None

    def issue(self, subject: str, scope: str = EVENTS) -> str:
        """A credential for ``subject`` to do ``scope``, valid until the subject is revoked."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")
        if not subject:
            raise ValueError("a credential needs a subject")
        claims = {"sub": subject, "scope": scope, "gen": self.generation(subject)}
        claims["iat"] = int(time.time())
        payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return f"{PREFIX}.{payload}.{self._sign(payload)}"

    def verify(self, token: str, scope: str = EVENTS) -> Credential:
        """The credential's claims if it is genuine, current and allows ``scope``."""
        parts = token.split(".") if 0 < len(token) <= MAX_LENGTH else []
        if len(parts) != 3 or parts[0] != PREFIX:
            raise CredentialError("malformed", "not an event credential")
        _, payload, signature = parts
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise CredentialError("bad signature", "the credential's signature does not match")
        try:
            claims = json.loads(_unb64(payload))
            found = Credential(
                str(claims["sub"]), str(claims["scope"]), int(claims["gen"]), int(claims["iat"])
            )
        except (ValueError, KeyError, TypeError):
            raise CredentialError("malformed", "the credential's claims are unreadable") from None
        if found.scope != scope:
            raise CredentialError(
                "wrong scope", f"the credential allows {found.scope}, not {scope}"
            )
        if found.generation != self.generation(found.subject):
            raise CredentialError("revoked", f"the credential of {found.subject} was revoked")
        return found

    def revoke(self, subject: str) -> int:
        """Invalidate every credential of ``subject`` issued so far; the new generation."""
        generations = dict(self._read())
        generations[subject] = generations.get(subject, 0) + 1
        _write_json(self._state, generations)
        self._stamp = None
        return generations[subject]

    def generation(self, subject: str) -> int:
        return self._read().get(subject, 0)

    def _read(self) -> dict[str, int]:
        try:
            stat = self._state.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._generations = {
                str(k): int(v) for k, v in json.loads(self._state.read_text()).items()
            }
            self._stamp = stamp
        return self._generations

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._key, f"{PREFIX}.{payload}".encode(), hashlib.sha256)
        return _b64(mac.digest())


def bearer(authorization: str) -> str:
    """The credential of an ``Authorization: Bearer …`` (or ``token …``) header, or ""."""
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() in ("bearer", "token") else ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _write_json(path: Path, data: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as out:
        json.dump(data, out, sort_keys=True)
    os.replace(temporary, path)


def course_credentials(course: Course) -> Credentials:
    """The credentials of ``course``'s server: its derived key, its generations file."""
    from course.identity.keys import course_key

    return Credentials(
        course_key(course, "event-credentials"), secrets_folder(course) / GENERATIONS_FILE
    )
