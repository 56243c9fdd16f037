"""The running extension's shared parts, given to every handler as the route kwarg ``live``.

Every service call runs in the store's worker thread(s) (``Live.run``), which
serialises SQLite writes and keeps the event loop free. Answers are batched on the
way there (``Live.answer``); changes are pushed to websockets through ``channels``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from course.identity.credentials import Credentials
from course.live.apps import RoomApps
from course.live.channels import Channels
from course.live.polling import AnswerArgs
from course.live.ratelimit import RateLimiter
from course.live.rooms import GroupDirectory
from course.live.service import LiveService
from course.live.state import Topic, Update

T = TypeVar("T")
MAX_BATCH = 500  # answers per transaction


class Live:
    """What the handlers share: the service, its worker thread, limits and channels.

    ``credentials`` verify the event credentials learners' kernels post with;
    ``public_url`` is "" or the server's URL as participants reach it, ending in ``/``.
    """

    def __init__(
        self,
        service: LiveService,
        *,
        credentials: Credentials,
        limiter: RateLimiter,
        push_interval: float,
        workers: int,
        public_url: str = "",
        apps: RoomApps | None = None,
    ) -> None:
        self.service, self.credentials, self.limiter = service, credentials, limiter
        self.public_url = public_url
        self.apps = apps
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="course-live")
        self.channels = Channels(self._update, interval=push_interval)
        self._answers: list[tuple[AnswerArgs, asyncio.Future[Any]]] = []
        self._answering = False
        self._answer_task: asyncio.Future[None] | None = None
        # called with a session id when its groups or state change (group rooms)
        self.membership_changed: list[Callable[[int], Any]] = []
        self.rooms: GroupDirectory | None = None  # made by the extension (group rooms)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (blocking) service call in the store's worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(function, *args, **kwargs))

    async def answer(self, session_id: int, participant_id: int, poll_id: int, value: Any) -> Any:
        """``service.answer``, grouped: answers arriving while the store thread is busy go
        into the next batch (one transaction for all), so a burst costs a few commits,
        not one each. The first answer after a quiet moment is sent at once."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._answers.append(((session_id, participant_id, poll_id, value), future))
        if not self._answering:
            self._answering = True
            self._answer_task = asyncio.ensure_future(self._store_answers())
        return await future

    def touch(self, session_id: int, *topics: Topic) -> None:
        """Mark what changed in a session; its websockets get the update shortly. New groups
        or a new state also reach the group rooms at once (``membership_changed``)."""
        self.channels.touch(session_id, *topics)
        if any(kind in ("groups", "session") for kind, _ in topics):
            for changed in self.membership_changed:
                changed(session_id)

    async def _store_answers(self) -> None:
        try:
            while self._answers:
                batch, self._answers = self._answers[:MAX_BATCH], self._answers[MAX_BATCH:]
                try:
                    outcomes = await self.run(self.service.answer_many, [a for a, _ in batch])
                except Exception as error:  # the whole transaction failed: every caller sees it
                    outcomes = [error] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # the request went away meanwhile
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self._answering = False

    async def _update(self, session_id: int, topics: set[Topic]) -> Update:
        return await self.run(self.service.update, session_id, topics)

    def close(self) -> None:
        if self.apps is not None:
            self.apps.stop()
        self.executor.shutdown(wait=True)
        self.service.store.dispose()
