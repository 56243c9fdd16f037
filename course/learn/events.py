"""Progress events: xAPI-shaped records, kept in a local SQLite queue and sent when possible.

Every event is written locally first, so nothing is lost when the course server is
down or the laptop is offline. When COURSE_EVENTS_URL is set, pending events go to
it as a JSON list; they are marked sent only after a 2xx answer, and each carries a
UUID so the server can drop a batch it has seen before (a lost response means a resend).

Each batch carries the learner's event credential (``Authorization: Bearer …``; see
``course.identity.credentials``): the one in the data folder's ``credential`` file
when the course server wrote one there (it rewrites it when it issues a new one),
else COURSE_EVENTS_TOKEN. It is read at every send, not kept with the events, so
events queued offline under a credential since revoked go out with the current one,
each once. A confined kernel reaches the server over a Unix socket:
``http+unix://<percent-encoded socket path>/course/api/events``.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from course.learn.context import APP, current_course, data_folder, learner
from course.learn.errors import LearnError

log = logging.getLogger(__name__)

ADL = "http://adlnet.gov/expapi/verbs/"
KIT = f"urn:{APP}:"
VERBS = {
    "checked": ADL + "attempted",
    "hinted": KIT + "verb:requested-hint",
    "viewed-solution": KIT + "verb:viewed-solution",
    "answered": ADL + "answered",
    "completed": ADL + "completed",
}
DB_NAME = "events.sqlite"
CREDENTIAL_FILE = "credential"
UNIX_SCHEME = "http+unix"
BATCH = 200
PAUSE_AFTER_TIMEOUT = 30.0  # seconds without automatic sends after a server did not answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    verb TEXT NOT NULL,
    kind TEXT NOT NULL,
    object TEXT NOT NULL,
    course TEXT,
    module TEXT,
    timestamp TEXT NOT NULL,
    body TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_pending ON events (sent, seq);
"""


def actor(learner: str) -> dict[str, Any]:
    """The xAPI actor of a learner's events: their learner id, as an account of the kit."""
    return {"objectType": "Agent", "name": learner, "account": {"homePage": KIT, "name": learner}}


def as_learner(statements: list[Any], learner: str) -> list[Any]:
    """The statements with their actor replaced by ``learner``'s: a server takes the actor
    from the credential that came with them, never from what the body says."""
    return [{**s, "actor": actor(learner)} if isinstance(s, dict) else s for s in statements]


def make_event(
    verb: str,
    kind: str,
    object_id: str,
    result: dict[str, Any] | None = None,
    *,
    course: str | None = None,
    module: str | None = None,
) -> dict[str, Any]:
    """One xAPI statement: actor, verb, object, result, context, timestamp and a UUID."""
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}; known: {', '.join(VERBS)}")
    who = learner()
    event: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor(who),
        "verb": {"id": VERBS[verb], "display": {"en": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{KIT}{course or '-'}:{kind}:{object_id}",
            "definition": {"type": f"{KIT}{kind}", "name": {"en": object_id}},
        },
        "context": {"extensions": {KIT + "course": course, KIT + "module": module}},
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    if result is not None:
        event["result"] = result
    return event


class EventLog:
    """The learner's event store: a local SQLite queue, optionally drained to a server."""

    def __init__(
        self, folder: Path, url: str | None = None, token: str | None = None, timeout: float = 2.0
    ) -> None:
        self.path = Path(folder) / DB_NAME
        self.url, self.token, self.timeout = url or None, token or None, timeout
        self._paused_until = 0.0
        self._ready = False

    def record(
        self,
        verb: str,
        kind: str,
        object_id: str,
        result: dict[str, Any] | None = None,
        *,
        module: str | None = None,
    ) -> dict[str, Any]:
        """Save one event locally, then try to send everything pending (when a server is set)."""
        course = current_course()
        event = make_event(
            verb, kind, object_id, result, course=course.id if course else None, module=module
        )
        with self._db() as db:
            db.execute(
                "INSERT INTO events (id, verb, kind, object, course, module, timestamp, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event["id"],
                    verb,
                    kind,
                    object_id,
                    event["context"]["extensions"][KIT + "course"],
                    module,
                    event["timestamp"],
                    json.dumps(event),
                ),
            )
        if self.url and time.monotonic() >= self._paused_until:
            self.flush()
        return event

    def flush(self) -> int:
        """Send pending events in batches; returns how many the server accepted.

        The write lock is held while a batch is in flight, so two kernels of the same
        learner never send the same events twice.
        """
        url = self.url
        if not url:
            return 0
        sent = 0
        while True:
            with self._db() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    rows = db.execute(
                        "SELECT id, body FROM events WHERE sent = 0 ORDER BY seq LIMIT ?", (BATCH,)
                    ).fetchall()
                    batch = [json.loads(body) for _, body in rows]
                    accepted = bool(rows) and self._post(url, batch)
                    if accepted:
                        db.executemany("UPDATE events SET sent = 1 WHERE id = ?", _ids(rows))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            if not accepted:
                return sent
            sent += len(rows)
            if len(rows) < BATCH:
                return sent

    def pending(self) -> int:
        """How many events wait to be sent (0 when no server is configured to send them to)."""
        with self._db() as db:
            (count,) = db.execute("SELECT count(*) FROM events WHERE sent = 0").fetchone()
        return int(count)

    def read(
        self, *, verb: str | None = None, kind: str | None = None, course: str | None = None
    ) -> list[dict[str, Any]]:
        """Stored events, oldest first; ``course`` also keeps events recorded outside a course."""
        query, args = "SELECT body FROM events WHERE 1 = 1", []
        for column, value in (("verb", verb), ("kind", kind)):
            if value is not None:
                query += f" AND {column} = ?"
                args.append(value)
        if course is not None:
            query += " AND (course = ? OR course IS NULL)"
            args.append(course)
        with self._db() as db:
            rows = db.execute(query + " ORDER BY seq", args).fetchall()
        return [json.loads(body) for (body,) in rows]

    def credential(self) -> str | None:
        """The credential to send now: the server's latest in the data folder, else ``token``."""
        try:
            written = (self.path.parent / CREDENTIAL_FILE).read_text().strip()
        except OSError:
            written = ""
        return written or self.token

    def _post(self, url: str, events: list[dict[str, Any]]) -> bool:
        headers = {"Content-Type": "application/json"}
        credential = self.credential()
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        body = json.dumps(events).encode()
        try:
            status = _send(url, body, headers, self.timeout)
            if 200 <= status < 300:
                return True
            log.info("events server answered %s; %d events stay queued", status, len(events))
        except urllib.error.HTTPError as error:
            log.info("events server answered %s; %d events stay queued", error.code, len(events))
        except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as error:
            if isinstance(getattr(error, "reason", error), TimeoutError):
                self._paused_until = time.monotonic() + PAUSE_AFTER_TIMEOUT
            log.info("events server unreachable (%s); %d events stay queued", error, len(events))
        return False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=15, isolation_level=None)) as db:
                if not self._ready:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.executescript(_SCHEMA)
                    self._ready = True
                yield db
        except (sqlite3.Error, OSError) as error:
            raise LearnError(
                f"cannot save progress in {self.path}: {error}; "
                "set COURSE_LEARNER_DATA to a folder you can write to"
            ) from error


def _send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body``; the reply's status (urllib raises HTTPError for 4xx and 5xx)."""
    parts = urlsplit(url)
    if parts.scheme != UNIX_SCHEME:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    connection = _UnixConnection(unquote(parts.netloc), timeout)
    try:
        connection.request("POST", parts.path or "/", body=body, headers=headers)
        return int(connection.getresponse().status)
    finally:
        connection.close()


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket: how a kernel without network reaches the course server."""

    def __init__(self, socket_path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def unix_url(socket_path: Path, path: str) -> str:
    """The ``http+unix://`` URL of ``path`` (e.g. /course/api/events) on a Unix socket."""
    return f"{UNIX_SCHEME}://{quote(str(socket_path), safe='')}{path}"


def _ids(rows: list[tuple[str, str]]) -> list[tuple[str]]:
    return [(event_id,) for event_id, _ in rows]


def event_log() -> EventLog:
    """The event log the environment points to (one per data folder, server and token)."""
    return _event_log(
        data_folder(), os.environ.get("COURSE_EVENTS_URL"), os.environ.get("COURSE_EVENTS_TOKEN")
    )


@lru_cache(maxsize=4)
def _event_log(folder: Path, url: str | None, token: str | None) -> EventLog:
    return EventLog(folder, url, token)


def record(
    verb: str,
    kind: str,
    object_id: str,
    result: dict[str, Any] | None = None,
    *,
    module: str | None = None,
) -> dict[str, Any]:
    """Record one event in the environment's event log (see ``EventLog.record``)."""
    return event_log().record(verb, kind, object_id, result, module=module)
