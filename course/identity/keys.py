"""The course server's secret, kept in the data folder, and the keys derived from it.

One random master secret per course (``secrets/course.key``, mode 0600 in a 0700
folder); each use gets its own key derived with HMAC, so a digest of a sign-in code
can never be replayed as an event credential's signature. Deleting the file
invalidates every sign-in code and credential at once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from course.layout import secrets_folder
from course.plan import Course

KEY_FILE = "course.key"
PURPOSES = ("signin-codes", "event-credentials", "signin-cookies")


def derived_key(master: bytes, purpose: str) -> bytes:
    """The key for one purpose (one of ``PURPOSES``)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}; known: {', '.join(PURPOSES)}")
    return hmac.new(master, purpose.encode(), hashlib.sha256).digest()


def course_key(course: Course, purpose: str) -> bytes:
    """The key for ``purpose`` from the course's master secret (made on first use)."""
    return derived_key(master_secret(secrets_folder(course)), purpose)


def master_secret(folder: Path) -> bytes:
    """The secret in ``folder``, created atomically so two processes agree on one."""
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        fresh = folder / f".{KEY_FILE}.{secrets.token_hex(4)}"
        fresh.write_text(secrets.token_hex(32))
        os.chmod(fresh, 0o600)
        try:
            os.link(fresh, path)  # fails if another process made one first: use theirs
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    return bytes.fromhex(path.read_text().strip())
