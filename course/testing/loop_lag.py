"""How late a benchmark client's own event loop wakes up.

A benchmark's clients share the machine's cores with the server they measure; when the
client process is starved of CPU, every latency it measures grows by its own lateness,
not the server's. ``LoopLag`` sleeps ``every`` seconds in a loop and records by how
much each wake-up was late, so a report can say which side the time went to.
"""

from __future__ import annotations

import asyncio
import time


class LoopLag:
    """``start`` inside the running loop, ``stop`` for (p95, max) lateness in ms."""

    def __init__(self, every: float = 0.01) -> None:
        self.every, self.lags = every, [0.0]
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self.every)
            self.lags.append((time.monotonic() - before - self.every) * 1000)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    def stop(self) -> tuple[float, float]:
        if self._task:
            self._task.cancel()
        ordered = sorted(self.lags)
        return ordered[int(0.95 * (len(ordered) - 1))], ordered[-1]
