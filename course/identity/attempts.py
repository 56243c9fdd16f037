"""Wrong codes per address: guessing stays infeasible, and a room behind one router
still gets in with the right code.

A classroom shares one address (a router, a proxy), so a limit per address alone lets
thirty typos lock the right code out for everyone. Checking the right code before the
limit would not do: a refusal that only wrong codes get tells a guesser which code is
right, so every guess would be checked, at the server's speed. Instead, three rules,
in this order:

1. **A code that already got someone in from this address gets in again**, without
   any limit. This tells a guesser nothing (they must know the code to use it), and
   once the first person of a room is in, nothing the room types can lock it out.
2. **An address has its own allowance of wrong codes**: ``burst`` free, then one more
   every ``1 / per_second`` s (default 20, then one per 5 s).
3. **An address that used its allowance up borrows from one shared overflow** (default
   50, then one per second, for all addresses together): the room whose thirty typos
   came before anyone got in is still checked, and gets in with the right code at
   once. A guesser who empties the overflow only gets to where every address was
   before (rule 2), and rule 1 keeps rooms already in safe from them.

Right codes never cost anything; a wrong code costs the address's allowance or, when it
is empty, the overflow's. Concurrent wrong codes may take a bucket below zero (at most
one burst deep), so guessing in parallel gains nothing over guessing in turn.

The arithmetic, for one guessing address over a 90-minute session (5,400 s):
rule 2 gives 20 + 5,400 × 0.2 = 1,100 guesses and rule 3 at most 50 + 5,400 × 1 =
5,450 (shared with everyone), so at most 6,550 guesses. A live session's join code is
6 characters of 32 (``course.live.sessions``): 32⁶ = 1,073,741,824 codes; with 10
sessions open at once a guesser finds one with probability at most
6,550 × 10 / 1.07e9 ≈ 6 × 10⁻⁵ per session. A learner's sign-in code is 10 of 31
(``course.identity.codes``): 31¹⁰ ≈ 8.2 × 10¹⁴; with 1,000 learners,
6,550 × 1,000 / 8.2e14 ≈ 8 × 10⁻⁹. Many addresses multiply the rule-2 share only
(1,100 each); the overflow stays one.

Kept in memory: a restart only gives everyone a fresh burst (and forgets rule 1's
codes, which the first right code of each room then relearns).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

MAX_ADDRESSES = 100_000
OVERFLOW = ""  # the overflow's key among the buckets: no address is empty


class WrongCodes:
    """The three rules above, for one kind of code (join codes, sign-in codes)."""

    def __init__(
        self,
        burst: int = 20,
        per_second: float = 0.2,
        overflow_burst: int = 50,
        overflow_per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rates = {"address": (float(burst), per_second)}
        self.rates["overflow"] = (float(overflow_burst), overflow_per_second)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._known: set[tuple[str, str]] = set()

    def wait(self, address: str, code: str) -> float:
        """Seconds before ``address`` may try ``code``; 0 when it may try now."""
        if (address, _fingerprint(code)) in self._known:
            return 0.0
        own = self._left(address)
        if own >= 1 or self._left(OVERFLOW) >= 1:
            return 0.0
        return (1 - own) / self.rates["address"][1]

    def failed(self, address: str) -> None:
        """Count one wrong code: from the address's allowance, or else the overflow's, or
        (both empty: wrong codes that were let in together) as the address's debt."""
        key = address if self._left(address) >= 1 or self._left(OVERFLOW) < 1 else OVERFLOW
        burst = self.rates["overflow" if key == OVERFLOW else "address"][0]
        if len(self._buckets) >= MAX_ADDRESSES and key not in self._buckets:
            self._buckets = {OVERFLOW: self._buckets.get(OVERFLOW, (0.0, self.clock()))}
        self._buckets[key] = (max(self._left(key) - 1, -burst), self.clock())

    def succeeded(self, address: str, code: str) -> None:
        """Remember that ``code`` got someone in from ``address`` (rule 1)."""
        if len(self._known) >= MAX_ADDRESSES:
            self._known.clear()  # a flood of joins: forget; the next right code relearns
        self._known.add((address, _fingerprint(code)))

    def _left(self, key: str) -> float:
        burst, per_second = self.rates["overflow" if key == OVERFLOW else "address"]
        now = self.clock()
        left, since = self._buckets.get(key, (burst, now))
        return min(burst, left + (now - since) * per_second)


def _fingerprint(code: str) -> str:
    """What rule 1 keeps of a code: a digest, so the memory holds no code in clear."""
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()[:32]
