"""Per-participant rate limits: one token bucket per (action, who).

A bucket holds ``burst`` tokens and refills at ``per_second``; an action takes one
token or is refused with the seconds until the next one. Wrong join codes, which cost
only when they fail, have their own rules (``course.identity.attempts``).
Kept in memory on the extension (not in the store): limits protect this process, and a
restart that forgets them only gives everyone a fresh burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from course.identity.attempts import WrongCodes
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
    "join-overflow": Rate(1, 50),  # wrong codes past an address's own, all addresses
    "events": Rate(20, 100),  # learner event batches per learner
}


class RateLimiter:
    """Token buckets keyed by (action, key); ``check`` raises RateLimited when empty.

    Wrong join codes are counted apart, in ``wrong_codes`` (``course.identity.attempts``:
    per address, with an overflow shared by all, and a right code once seen from an
    address never locked out), so a room behind one router always gets in.
    """

    def __init__(
        self, rates: Mapping[str, Rate], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rates = dict(rates)
        self.clock = clock
        self._buckets: dict[tuple[str, Hashable], tuple[float, float]] = {}
        own, overflow = self.rates["join-failure"], self.rates["join-overflow"]
        self.wrong_codes = WrongCodes(
            own.burst, own.per_second, overflow.burst, overflow.per_second, clock
        )

    def join(self, address: str, code: str) -> None:
        """Raise RateLimited when ``address`` may not try ``code`` now."""
        wait = self.wrong_codes.wait(address, code)
        if wait:
            raise RateLimited(f"too many wrong join codes; try again in {wait:.1f} s", wait)

    def check(self, action: str, key: Hashable) -> None:
        """Take a token for ``action`` by ``key``, or raise RateLimited."""
        tokens, now = self._tokens(action, key)
        if tokens < 1:
            raise self._refused(action, tokens)
        self._store(action, key, tokens - 1, now)

    def _tokens(self, action: str, key: Hashable) -> tuple[float, float]:
        rate = self.rates[action]
        now = self.clock()
        tokens, since = self._buckets.get((action, key), (float(rate.burst), now))
        return min(float(rate.burst), tokens + (now - since) * rate.per_second), now

    def _refused(self, action: str, tokens: float) -> RateLimited:
        wait = (1 - tokens) / self.rates[action].per_second
        return RateLimited(f"too many {action} requests; try again in {wait:.1f} s", wait)

    def _store(self, action: str, key: Hashable, tokens: float, now: float) -> None:
        if len(self._buckets) >= MAX_BUCKETS and (action, key) not in self._buckets:
            self._buckets.clear()  # a flood of keys: forget, rather than grow without bound
        self._buckets[(action, key)] = (tokens, now)
