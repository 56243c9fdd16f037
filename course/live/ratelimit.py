"""Per-participant rate limits: one token bucket per (action, who).

A bucket holds ``burst`` tokens and refills at ``per_second``; an action takes one
token or is refused with the seconds until the next one. Kept in memory on the
extension (not in the store): limits protect this process, and a restart that
forgets them only gives everyone a fresh burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from course.live.errors import RateLimited

MAX_BUCKETS = 200_000


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


DEFAULT_RATES: dict[str, Rate] = {
    "answer": Rate(5, 20),  # changing one's mind is fine; a script hammering is not
    "question": Rate(0.2, 5),  # a question every 5 s after the first five
    "vote": Rate(5, 30),
    "read": Rate(20, 60),  # GET /me and websocket connects
    "join-failure": Rate(0.2, 20),  # wrong join codes per address: no guessing codes
    "events": Rate(20, 100),  # learner event batches per learner
}


class RateLimiter:
    """Token buckets keyed by (action, key); ``check`` raises RateLimited when empty."""

    def __init__(
        self, rates: Mapping[str, Rate], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rates = dict(rates)
        self.clock = clock
        self._buckets: dict[tuple[str, Hashable], tuple[float, float]] = {}

    def check(self, action: str, key: Hashable) -> None:
        """Take a token for ``action`` by ``key``, or raise RateLimited."""
        rate = self.rates[action]
        now = self.clock()
        tokens, since = self._buckets.get((action, key), (float(rate.burst), now))
        tokens = min(float(rate.burst), tokens + (now - since) * rate.per_second)
        if tokens < 1:
            wait = (1 - tokens) / rate.per_second
            raise RateLimited(f"too many {action} requests; try again in {wait:.1f} s", wait)
        if len(self._buckets) >= MAX_BUCKETS:
            self._buckets.clear()  # a flood of keys: forget, rather than grow without bound
        self._buckets[(action, key)] = (tokens - 1, now)

    def refund(self, action: str, key: Hashable) -> None:
        """Give back the token of an action that turned out fine (a join with a right code)."""
        if (action, key) in self._buckets:
            tokens, since = self._buckets[(action, key)]
            self._buckets[(action, key)] = (min(float(self.rates[action].burst), tokens + 1), since)
