"""The course server's defences against stalls: the long-lived heap is frozen out of full
garbage collections, and a stalled event loop is reported with every thread's stack."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import pytest

from course.live.heap import LongLivedHeap
from course.live.stalls import StallWatch, watch_loop


def test_a_blocked_loop_is_reported_with_the_code_that_blocks_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("course-test-stalls")

    def blocking_the_loop() -> None:
        time.sleep(0.6)

    async def scenario() -> list[float]:
        watch = watch_loop(log, threshold=0.2)
        assert watch is not None
        await asyncio.sleep(0.2)
        blocking_the_loop()
        await asyncio.sleep(0.3)
        watch.stop()
        return watch.stalls

    with caplog.at_level(logging.WARNING, logger="course-test-stalls"):
        stalls = asyncio.run(scenario())
    text = caplog.text
    assert "the event loop has not run for" in text
    assert "blocking_the_loop" in text and "(the event loop)" in text
    assert len(stalls) == 1 and 0.4 < stalls[0] < 1.5
    assert watch_loop(log, threshold=0) is None  # 0: off


def test_the_heap_is_frozen_at_start_and_after_a_slow_full_collection() -> None:
    async def scenario() -> tuple[int, int, int]:
        heap = LongLivedHeap(slow=0.0)  # every full collection counts as slow here
        heap.start()
        frozen_at_start = gc.get_freeze_count()
        kept = [[i] for i in range(50_000)]  # long-lived (tracked) objects made after start
        gc.collect()  # a full collection: the heap freezes again on the loop
        await asyncio.sleep(0.05)
        heap.stop()
        assert len(kept) == 50_000
        return frozen_at_start, gc.get_freeze_count(), heap.freezes

    try:
        at_start, after, freezes = asyncio.run(scenario())
    finally:
        gc.unfreeze()
    assert at_start > 10_000  # the interpreter's modules and the test's objects
    assert after >= at_start + 49_000  # what was made since is frozen too (the 50,000)
    assert freezes == 2


def test_a_loop_that_has_stopped_is_not_a_stall(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("course-test-stopped")

    async def scenario() -> StallWatch | None:
        watch = watch_loop(log, threshold=0.1)  # not stopped: the server shutting down
        await asyncio.sleep(0.1)
        return watch

    with caplog.at_level(logging.WARNING, logger="course-test-stopped"):
        watch = asyncio.run(scenario())
        time.sleep(0.4)  # the loop is gone; the watch thread is still there
    assert watch is not None
    watch.stop()
    assert "has not run" not in caplog.text
