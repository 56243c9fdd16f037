"""A headless jupyter-collaboration client: what a JupyterLab tab does, without the browser.

It speaks the real protocol of jupyter-collaboration 5: ``PUT
/api/collaboration/session/<path>`` returns the file id and the server's session
id; the room is the websocket ``/api/collaboration/room/json:notebook:<file id>``
with ``?sessionId=…``; the document is a jupyter-ydoc ``YNotebook`` synchronised by
pycrdt's ``Provider`` (Yjs sync protocol). After a disconnect the client keeps its
document, edits offline, and reconnects like a tab would: with its old session id
(JupyterLab's behaviour) or a fresh one, then merges both ways.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import quote

import httpx
import websockets
from jupyter_ydoc import YNotebook
from pycrdt import Provider, Text

__all__ = ["CollabClient", "SessionRejected", "wait_until"]


class SessionRejected(RuntimeError):
    """The server closed the room at once (for example an unknown old session: reload needed)."""


class _Channel:
    """pycrdt's ``Channel`` over a ``websockets`` connection; ends quietly when it closes."""

    def __init__(self, websocket: Any, path: str) -> None:
        self._websocket = websocket
        self._path = path
        self.closed = asyncio.Event()

    @property
    def path(self) -> str:
        return self._path

    def __aiter__(self) -> _Channel:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self.recv()
        except websockets.ConnectionClosed:
            self.closed.set()
            raise StopAsyncIteration from None

    async def send(self, message: bytes) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._websocket.send(message)

    async def recv(self) -> bytes:
        message = await self._websocket.recv()
        return message if isinstance(message, bytes) else message.encode()


class CollabClient:
    """One collaborator on one notebook; ``doc`` is its local copy of the shared notebook."""

    def __init__(
        self,
        server_url: str,
        token: str,
        path: str,
        name: str = "",
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        """``headers`` replace the token: a participant's or learner's cookies (and XSRF
        header), to join the room as that user."""
        self.server_url = server_url.rstrip("/")
        self.token = token
        self.headers = headers
        self.path = path
        self.name = name or path
        self.doc = YNotebook()
        self.session_id: str | None = None
        self.room: str | None = None
        self._websocket: Any = None
        self._channel: _Channel | None = None
        self._provider: Provider | None = None
        self._task: asyncio.Task[None] | None = None

    async def open_session(self) -> tuple[str, str]:
        """Ask the server for the room of this notebook: (room id, server session id)."""
        async with httpx.AsyncClient(headers=self._headers, timeout=20) as http:
            response = await http.put(
                f"{self.server_url}/api/collaboration/session/{quote(self.path)}",
                json={"format": "json", "type": "notebook"},
            )
        response.raise_for_status()
        data = response.json()
        return f"{data['format']}:{data['type']}:{data['fileId']}", data["sessionId"]

    async def connect(self, *, reuse_session: bool = False, timeout: float = 20) -> None:
        """Join the room and wait for the first full sync.

        ``reuse_session`` sends the session id of the previous connection, as a
        JupyterLab tab does when it reconnects after a server restart.
        """
        room, fresh = await self.open_session()
        session = self.session_id if reuse_session and self.session_id else fresh
        url = self.server_url.replace("http", "ws", 1)
        url += f"/api/collaboration/room/{room}?sessionId={session}"
        self._websocket = await websockets.connect(
            url, additional_headers=self._headers, max_size=None, open_timeout=timeout
        )
        self.room, self.session_id = room, session
        self._channel = _Channel(self._websocket, room)
        self._provider = Provider(self.doc.ydoc, self._channel)
        self._task = asyncio.create_task(self._provider.start())
        await self._wait_synced(timeout)

    async def _wait_synced(self, timeout: float) -> None:
        assert self._provider is not None and self._channel is not None
        synced = asyncio.create_task(self._provider.synced.wait())
        closed = asyncio.create_task(self._channel.closed.wait())
        done, pending = await asyncio.wait(
            {synced, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        if closed in done:
            reason = getattr(self._websocket, "close_reason", "")
            await self.disconnect()
            raise SessionRejected(f"{self.name}: room closed on connect: {reason}")
        if synced not in done:
            await self.disconnect()
            raise TimeoutError(f"{self.name}: no sync with {self.room} within {timeout} s")

    @property
    def connected(self) -> bool:
        return self._channel is not None and not self._channel.closed.is_set()

    async def disconnect(self) -> None:
        """Leave the room; the local document stays, like a tab that lost its server."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._websocket is not None:
            with contextlib.suppress(Exception):
                await self._websocket.close()
        self._task = self._provider = self._channel = self._websocket = None

    async def reconnect(self, *, reuse_session: bool = True, timeout: float = 30) -> None:
        """Reconnect after the server came back, retrying while it is still starting."""
        await self.disconnect()
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.connect(reuse_session=reuse_session, timeout=10)
                return
            except (httpx.HTTPError, OSError, websockets.InvalidHandshake):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    # -- reading and editing the local copy ------------------------------------------------

    def cells(self) -> list[dict[str, Any]]:
        """Every cell as stored in the shared document, duplicates included.

        ``YNotebook.get()`` silently drops cells with a repeated id, which would
        hide exactly the bug the restart tests look for.
        """
        return [ycell.to_py() for ycell in self.doc.ycells]

    def sources(self) -> list[str]:
        return [str(ycell["source"]) for ycell in self.doc.ycells]

    def append_cell(self, source: str, cell_id: str) -> None:
        self.doc.append_cell(
            {
                "cell_type": "code",
                "id": cell_id,
                "source": source,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        )

    def type_into(self, cell_id: str, text: str) -> None:
        """Append text at the end of a cell's source, as typing does (a Y text insert)."""
        source = self.source_of(cell_id)
        source.insert(len(source), text)

    def source_of(self, cell_id: str) -> Text:
        for ycell in self.doc.ycells:
            if ycell.get("id") == cell_id:
                source: Text = ycell["source"]
                return source
        raise KeyError(f"{self.name}: no cell {cell_id!r}")

    def outputs_of(self, cell_id: str) -> list[dict[str, Any]]:
        """The cell's outputs as the room holds them."""
        for ycell in self.doc.ycells:
            if ycell.get("id") == cell_id:
                return [dict(output) for output in ycell["outputs"].to_py()]
        raise KeyError(f"{self.name}: no cell {cell_id!r}")

    def set_outputs(self, cell_id: str, outputs: list[dict[str, Any]]) -> None:
        """Put a cell's outputs into the room, as JupyterLab does once a cell has run."""
        for index, ycell in enumerate(self.doc.ycells):
            if ycell.get("id") == cell_id:
                self.doc._set_ycell_outputs(self.doc.ycells[index], outputs)
                return
        raise KeyError(f"{self.name}: no cell {cell_id!r}")

    @property
    def _headers(self) -> dict[str, str]:
        if self.headers is not None:
            return dict(self.headers)
        return {"Authorization": f"token {self.token}"}


async def wait_until(condition: Any, timeout: float = 20, what: str = "condition") -> None:
    """Poll ``condition()`` until true; fail with ``what`` in the message otherwise."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(0.02)
