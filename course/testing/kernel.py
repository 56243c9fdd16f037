"""Run code in a kernel that a real Jupyter server started, as JupyterLab does.

A session is made for a notebook path (so the kernel starts in the notebook's folder
with the server's kernel environment), and each source is sent as an
``execute_request`` on the kernel's websocket; the reply's status and the text
outputs come back. Enough to run a lesson's cells without a browser.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.sync.client import connect


@dataclass
class Executed:
    """What one cell did: ``ok`` or ``error``, its printed text and its error, if any."""

    status: str
    text: str = ""
    error: str = ""
    outputs: list[dict[str, Any]] = field(default_factory=list)


def run_cells(
    server: str, token: str, notebook: str, sources: list[str], timeout: float = 120
) -> list[Executed]:
    """Execute ``sources`` in order in a new kernel for ``notebook`` (a server path)."""
    headers = {"Authorization": f"token {token}"}
    with httpx.Client(base_url=server, headers=headers, timeout=timeout) as client:
        made = client.post(
            "/api/sessions",
            json={"path": notebook, "type": "notebook", "kernel": {"name": "python3"}},
        )
        made.raise_for_status()
        session = made.json()
        try:
            return _execute(server, token, session["kernel"]["id"], sources, timeout)
        finally:
            client.delete(f"/api/sessions/{session['id']}")


def _execute(
    server: str, token: str, kernel: str, sources: list[str], timeout: float
) -> list[Executed]:
    url = server.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels"
    session = uuid.uuid4().hex
    done = []
    with connect(
        f"{url}?session_id={session}",
        additional_headers={"Authorization": f"token {token}"},
        open_timeout=timeout,
        max_size=None,
    ) as socket:
        for source in sources:
            msg_id = uuid.uuid4().hex
            socket.send(json.dumps(_request(session, msg_id, source)))
            done.append(_collect(socket, msg_id, timeout))
    return done


def _request(session: str, msg_id: str, source: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": session,
            "username": "test",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {"code": source, "silent": False, "store_history": True},
        "channel": "shell",
    }


def _collect(socket: Any, msg_id: str, timeout: float) -> Executed:
    """Read messages until the kernel is idle after this request."""
    result = Executed(status="ok")
    while True:
        message = json.loads(socket.recv(timeout=timeout))
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            result.text += content["text"]
        elif kind in ("execute_result", "display_data"):
            result.outputs.append(content["data"])
            result.text += content["data"].get("text/plain", "") + "\n"
        elif kind == "error":
            result.status, result.error = "error", f"{content['ename']}: {content['evalue']}"
        elif kind == "status" and content["execution_state"] == "idle":
            return result
