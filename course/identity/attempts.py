"""Wrong sign-in codes per address: a few mistakes are free, guessing is not.

An address may get ``burst`` codes wrong, then one more every ``1 / per_second``
seconds; right codes cost nothing, so a class behind one router signs in at once.
Kept in memory: a restart only gives everyone a fresh burst.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_ADDRESSES = 100_000


class FailedAttempts:
    """One bucket of allowed mistakes per address."""

    def __init__(
        self, burst: int = 20, per_second: float = 0.2, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def wait(self, address: str) -> float:
        """Seconds ``address`` must wait before trying again; 0 when it may try now."""
        left = self._left(address)
        return 0.0 if left >= 1 else (1 - left) / self.per_second

    def failed(self, address: str) -> None:
        """Count one wrong code (concurrent wrong tries may go below zero: longer wait)."""
        if len(self._buckets) >= MAX_ADDRESSES and address not in self._buckets:
            self._buckets.clear()  # a flood of addresses: forget rather than grow
        self._buckets[address] = (max(self._left(address) - 1, -float(self.burst)), self.clock())

    def _left(self, address: str) -> float:
        now = self.clock()
        left, since = self._buckets.get(address, (float(self.burst), now))
        return min(float(self.burst), left + (now - since) * self.per_second)
