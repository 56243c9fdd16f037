"""Websocket fan-out with coalescing: changes are marked, pushes go out at most every
``interval`` seconds per session.

A burst of 1000 answers per second marks the same topic 1000 times, and produces one
computed message per interval, serialised once and written to every subscriber. The
first change after a quiet period goes out at once (no added latency when it is calm).

Writing one message to 2,000 participants' sockets takes the event loop about half a
second (measured by ``course.live.stalls`` in ``benchmarks/live.py``); written in
slices of ``SLICE`` with the loop free in between, answers and the presenter's pushes
go on meanwhile. Presenters get theirs first: the projector does not wait for phones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from course.live.state import Topic, Update
from course.live.views import dumps

log = logging.getLogger(__name__)
SLICE = 200  # sockets written between two turns of the event loop


class Subscriber(Protocol):
    def push(self, text: str) -> None: ...


class Channels:
    """The presenter and participant subscribers of every session, and their pending topics."""

    def __init__(
        self, compute: Callable[[int, set[Topic]], Awaitable[Update]], interval: float = 0.05
    ) -> None:
        self.compute, self.interval = compute, interval
        self.presenters: dict[int, set[Subscriber]] = {}
        self.participants: dict[int, dict[Subscriber, int]] = {}
        self._dirty: dict[int, set[Topic]] = {}
        self._scheduled: set[int] = set()
        self._last: dict[int, float] = {}
        self.pushes = 0  # messages written, for tests and the benchmark

    def subscribe(self, session_id: int, who: Subscriber, participant_id: int | None) -> None:
        if participant_id is None:
            self.presenters.setdefault(session_id, set()).add(who)
        else:
            self.participants.setdefault(session_id, {})[who] = participant_id

    def unsubscribe(self, session_id: int, who: Subscriber) -> None:
        self.presenters.get(session_id, set()).discard(who)
        self.participants.get(session_id, {}).pop(who, None)

    def touch(self, session_id: int, *topics: Topic) -> None:
        """Mark topics changed; schedules one flush for the session if none is pending."""
        self._dirty.setdefault(session_id, set()).update(topics)
        if session_id in self._scheduled:
            return
        self._scheduled.add(session_id)
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last.get(session_id, -1e9) + self.interval - loop.time())
        loop.call_later(delay, lambda: asyncio.ensure_future(self._flush(session_id)))

    async def _flush(self, session_id: int) -> None:
        loop = asyncio.get_running_loop()
        topics = self._dirty.pop(session_id, set())
        self._last[session_id] = loop.time()
        try:
            if topics and self._listened(session_id):
                await self._send(session_id, await self.compute(session_id, topics))
        except Exception:  # a failed push must not stop later ones; it is logged, not hidden
            log.exception("live session %s: could not push %s", session_id, sorted(topics))
        finally:
            self._scheduled.discard(session_id)
            if self._dirty.get(session_id):
                self.touch(session_id)

    def _listened(self, session_id: int) -> bool:
        return bool(self.presenters.get(session_id) or self.participants.get(session_id))

    async def _send(self, session_id: int, update: Update) -> None:
        for message in update.presenter:
            await self._fan_out(self.presenters.get(session_id, set()), message)
        participants = self.participants.get(session_id, {})
        for message in update.participants:
            await self._fan_out(participants, message)
        if update.personal:
            for number, (who, participant_id) in enumerate(list(participants.items())):
                for message in update.personal.get(participant_id, []):
                    self._push(who, dumps(message))
                if number % SLICE == SLICE - 1:
                    await asyncio.sleep(0)

    async def _fan_out(self, targets: Any, message: dict[str, Any]) -> None:
        text = dumps(message)
        for number, who in enumerate(list(targets)):
            self._push(who, text)
            if number % SLICE == SLICE - 1:
                await asyncio.sleep(0)  # let requests in between slices

    def _push(self, who: Subscriber, text: str) -> None:
        who.push(text)
        self.pushes += 1
