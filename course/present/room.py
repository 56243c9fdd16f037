"""A cap on visitors with a kernel: past it, a "the room is full, retrying" page, not a crash.

Voila starts a kernel for every visitor and has no limit; on a workshop laptop the
fortieth kernel is where memory runs out and every visitor's page fails. The cap
answers 503 with a page that retries by itself, so a late visitor gets in as soon
as someone leaves: Voila's page shuts its kernel down when the tab closes, once the
page holds the cookie that request needs (``set_xsrf_cookie``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import tornado.web
from voila.tornado.handler import TornadoVoilaHandler

from course.present.xsrf import set_xsrf_cookie


@dataclass
class Seats:
    """How many visitors may hold a kernel at once (0: no cap), and who is being seated.

    ``seating`` counts requests between admission and the end of their render, so a
    burst of arrivals cannot all pass the check before their kernels exist.
    """

    limit: int = 0
    seating: int = 0

    def taken(self, kernel_manager: Any, notebook: str) -> int:
        """Kernels held by visitors: live kernels minus the preheated pool, plus arrivals.

        While the pool refills, pool entries whose kernel has not started yet make this
        an undercount of at most the pool size: the cap errs on the side of letting in.
        """
        pooled: int = kernel_manager.get_pool_size(notebook)
        return max(0, len(kernel_manager.list_kernel_ids()) - pooled) + self.seating

    def full(self, kernel_manager: Any, notebook: str) -> bool:
        return bool(self.limit) and self.taken(kernel_manager, notebook) >= self.limit


def room_full_page(retry_seconds: int, limit: int) -> str:
    """A self-contained page (no scripts, no network) that reloads itself."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{retry_seconds}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The room is full</title>
<style>
 body {{ font-family: system-ui, sans-serif; color: #1b1b1b; background: #ffffff;
        max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }}
 h1 {{ color: #14365d; }}
</style></head>
<body><main>
<h1>The room is full, retrying…</h1>
<p role="status">All {escape(str(limit))} seats of this app are taken. This page tries again
every {escape(str(retry_seconds))} seconds and opens the app as soon as a seat is free;
you do not need to reload it.</p>
</main></body></html>
"""


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's notebook handler, turning visitors away politely once the seats are taken."""

    def initialize(self, **kwargs: Any) -> None:
        self.seats: Seats = kwargs.pop("seats")
        self.retry_seconds: int = kwargs.pop("retry_seconds")
        super().initialize(**kwargs)

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        notebook = self.notebook_path or path or ""
        if self.seats.full(self.kernel_manager, notebook):
            self.set_status(503)
            self.set_header("Retry-After", str(self.retry_seconds))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(room_full_page(self.retry_seconds, self.seats.limit))
            return
        set_xsrf_cookie(self)  # before the first byte: the cookie is a header
        self.seats.seating += 1
        try:
            await super().get(path)
        finally:
            self.seats.seating -= 1
