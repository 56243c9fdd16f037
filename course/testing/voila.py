"""Fetching Voila pages in tests, with a deadline on the whole page."""

from __future__ import annotations

import time
from typing import Any

import httpx


def render(url: str, *, deadline: float = 60.0, **kwargs: Any) -> httpx.Response:
    """GET a Voila page with a deadline on the whole body: a stalled render fails the test.

    Voila streams heartbeats while a cell runs, so a per-read timeout never fires on
    a stalled render. (Renders of the apps used to stall under load, a kernel reply
    stranded in Voila's shell socket: fixed by ``course.present.kernel_client``.)
    """
    end = time.monotonic() + deadline
    chunks = []
    with httpx.stream("GET", url, timeout=30, **kwargs) as reply:
        for chunk in reply.iter_bytes():
            chunks.append(chunk)
            if time.monotonic() > end:
                raise TimeoutError(f"{url} did not finish rendering within {deadline:.0f} s")
    return httpx.Response(reply.status_code, headers=reply.headers, content=b"".join(chunks))
