"""A watchdog for the course server's event loop: when it stops answering, say where.

A live room notices a stall as everyone's answers or keystrokes freezing at once.
Benchmarks have shown rare multi-second stalls (issue 13); to tell their causes
apart, a thread of its own checks a heartbeat the event loop beats every
``interval`` seconds. When the beat is ``threshold`` seconds late it logs, once per
stall, every thread's stack as it is at that moment (the code blocking the loop, or
an idle loop when the whole process was not scheduled: a busy machine); when the
loop beats again it logs how long the stall lasted. Python's garbage collections of
the oldest generation that take longer than ``threshold / 4`` are logged too (a full
collection over a large heap holds the GIL for all threads).

Cheap when nothing stalls: one callback per ``interval`` on the loop, one sleeping
thread.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
import traceback
from typing import Any

from tornado.ioloop import IOLoop, PeriodicCallback


class StallWatch:
    """Beats on the event loop, watches from a thread; ``start`` on the loop, ``stop``."""

    def __init__(self, log: logging.Logger, threshold: float, interval: float = 0.05) -> None:
        self.log, self.threshold, self.interval = log, threshold, interval
        self.beat = time.monotonic()
        self.stalls: list[float] = []  # durations of the stalls seen, in seconds
        self._reported = False
        self._stop = threading.Event()
        self._gc_started = 0.0
        self._callback: PeriodicCallback | None = None
        self._thread: threading.Thread | None = None
        self._running: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """On the running loop: a loop that has stopped (the server shutting down) is
        not a stall, and is not reported."""
        self._running = asyncio.get_running_loop()
        self.beat = time.monotonic()
        self._callback = PeriodicCallback(self._beat, self.interval * 1000)
        self._callback.start()
        self._thread = threading.Thread(target=self._watch, name="course-stall-watch", daemon=True)
        self._thread.start()
        gc.callbacks.append(self._gc)

    def stop(self) -> None:
        self._stop.set()
        if self._callback is not None:
            self._callback.stop()
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)

    def _beat(self) -> None:
        now = time.monotonic()
        late = now - self.beat - self.interval
        self.beat = now
        if self._reported:
            self._reported = False
            self.stalls.append(late)
            self.log.warning("course: the event loop answered again after %.2f s", late)

    def _watch(self) -> None:
        main = threading.main_thread().ident
        while not self._stop.wait(self.interval):
            late = time.monotonic() - self.beat - self.interval
            stopped = self._running is None or not self._running.is_running()
            if late < self.threshold or self._reported or stopped:
                continue
            self._reported = True
            frames = sys._current_frames()
            stacks = []
            for thread in threading.enumerate():
                frame = frames.get(thread.ident or -1)
                if frame is None or thread.name == "course-stall-watch":
                    continue
                where = "".join(traceback.format_stack(frame, limit=12))
                marker = " (the event loop)" if thread.ident == main else ""
                stacks.append(f"--- {thread.name}{marker}\n{where}")
            self.log.warning(
                "course: the event loop has not run for %.2f s; threads now:\n%s",
                late,
                "\n".join(stacks),
            )

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._gc_started = time.monotonic()
            return
        took = time.monotonic() - self._gc_started
        if took > self.threshold / 4:
            self.log.warning(
                "course: a full garbage collection took %.2f s (%d objects collected)",
                took,
                info.get("collected", 0),
            )


def watch_loop(log: logging.Logger, threshold: float) -> StallWatch | None:
    """A started StallWatch on the current loop, or None when ``threshold`` is 0 (off)."""
    if threshold <= 0:
        return None
    IOLoop.current()  # on the server's (running) loop: PeriodicCallback needs it
    watch = StallWatch(log, threshold)
    watch.start()
    return watch
