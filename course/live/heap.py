"""Full garbage collections that freeze the room, and what the course server does.

Python's collector scans the whole heap in a full (oldest-generation) collection,
holding the GIL: every thread stops. CPython starts one whenever the objects that
survived into the oldest generation grew by a quarter since the last, so a server
whose heap keeps growing (2,000 participants' websockets, a room's documents) runs one
every few seconds, each longer than the last: measured on the course server
(``benchmarks/live.py``, ``course.live.stalls``), 0.17 s growing to 0.48 s, every 3-5 s,
collecting nothing. On two busy cores such a pause stretches to seconds.

What lives that long is the server itself (modules, handlers, sockets, rooms), not
garbage. So ``LongLivedHeap`` moves it out of the collector's sight with ``gc.freeze``:
once when the server has started, and again after any full collection that took longer
than ``slow`` seconds (so the next one scans only what was made since). Young objects
are collected as before. The price: a reference cycle among frozen objects that later
becomes garbage (a closed websocket's handler) is not freed until ``gc.unfreeze``;
that is a few kilobytes per participant who leaves, bounded by the room, and reference
counting still frees everything that is not in a cycle.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from tornado.ioloop import IOLoop

SLOW = 0.05  # seconds: a full collection longer than this freezes what survived it


class LongLivedHeap:
    """``start`` on the server's loop (after startup); ``stop`` at shutdown."""

    def __init__(self, slow: float = SLOW) -> None:
        self.slow = slow
        self.freezes = 0
        self._loop: IOLoop | None = None
        self._started = 0.0

    def start(self) -> None:
        self._loop = IOLoop.current()
        self._freeze()
        gc.callbacks.append(self._collected)

    def stop(self) -> None:
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)

    def _collected(self, phase: str, info: dict[str, Any]) -> None:
        """gc's callback (any thread): after a slow full collection, freeze on the loop."""
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.monotonic()
        elif time.monotonic() - self._started > self.slow and self._loop is not None:
            self._loop.add_callback(self._freeze)  # thread-safe; not inside the collector

    def _freeze(self) -> None:
        gc.freeze()
        self.freezes += 1
