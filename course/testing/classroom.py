"""The course server as ``course serve`` runs it for a class, with learners signing in.

``ClassroomServer`` is a ``CollabServer`` run as ``course serve`` runs it
(``python -m course.live`` with ``server_argv``: JupyterLab, collaboration, the
course extensions, the kit's identity classes) that also keeps the terminals and
nbgrader's formgrader switched on, so a test can show that a learner is refused them.
``learner(code)`` signs in through the sign-in page, as a browser would, and returns
a client holding that learner's cookies and XSRF header.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from websockets.sync.client import connect

from course.testing.collab_server import UNNEEDED, CollabServer

KEPT_ON = ("jupyter_server_terminals", "nbgrader.server_extensions.formgrader")


@dataclass
class ClassroomServer(CollabServer):
    """A course server for a class: instructor token, learners' personal codes."""

    switched_off: list[str] = field(
        default_factory=lambda: [n for n in UNNEEDED if n not in KEPT_ON]
    )
    module: str = "course.live"

    def instructor(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {self.token}"}, timeout=60
        )

    def learner(self, code: str) -> SignedIn:
        """A browser-like client signed in with ``code``; raises unless the sign-in worked."""
        return sign_in(httpx.Client(base_url=self.url, timeout=60), code)


def sign_in(client: httpx.Client, code: str) -> SignedIn:
    """Sign ``client`` in on the sign-in page with ``code``, as a browser does (the form,
    its XSRF cookie, the POST); raises unless the server took the code."""
    client.get("/course/signin").raise_for_status()
    xsrf = client.cookies["_xsrf"]
    reply = client.post("/course/signin", data={"code": code, "_xsrf": xsrf})
    if reply.status_code != 303:
        raise AssertionError(f"sign-in answered {reply.status_code}: {reply.text[:300]}")
    client.headers["X-XSRFToken"] = xsrf
    return SignedIn(client, reply.headers["Location"])


@dataclass
class SignedIn:
    """A learner's client and where the sign-in sent them (their JupyterLab)."""

    client: httpx.Client
    landing: str


@dataclass
class Outcome:
    """What a cell printed and the error it raised (its name, or None)."""

    stdout: str
    error: str | None
    evalue: str = ""


class KernelSocket:
    """A kernel's websocket, as JupyterLab opens it, with ``client``'s cookies or token."""

    def __init__(self, server: CollabServer, client: httpx.Client, kernel_id: str) -> None:
        self.session = uuid.uuid4().hex
        headers = {k: v for k, v in client.headers.items() if k.lower() == "authorization"}
        if client.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
        self._connect = connect(
            f"{url}?session_id={self.session}",
            additional_headers=headers,
            open_timeout=60,
            max_size=None,
        )

    def __enter__(self) -> KernelSocket:
        self.socket = self._connect.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._connect.__exit__(*exc)

    def run(self, code: str, timeout: float = 120) -> Outcome:
        """Execute ``code``; what it printed and the error it raised, once the kernel is idle."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "username": "test",
            "session": self.session,
            "msg_type": "execute_request",
            "version": "5.3",
            "date": datetime.now(UTC).isoformat(),
        }
        content = {"code": code, "silent": False, "store_history": False}
        request = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        self.socket.send(json.dumps({**request, "channel": "shell", "buffers": []}))
        out: list[str] = []
        error: dict[str, Any] | None = None
        replied = idle = False
        while not (replied and idle):
            message = json.loads(self.socket.recv(timeout=timeout))
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, body = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(body["text"])
            elif kind == "error":
                error = body
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and body["execution_state"] == "idle":
                idle = True
        if error is None:
            return Outcome("".join(out), None)
        return Outcome("".join(out), str(error["ename"]), str(error["evalue"]))


def execute(server: CollabServer, client: httpx.Client, kernel_id: str, code: str) -> Outcome:
    """Run ``code`` once in a kernel through the server's kernel websocket (``KernelSocket``)."""
    with KernelSocket(server, client, kernel_id) as kernel:
        return kernel.run(code)


@dataclass
class Participant:
    """A join-code participant's browser: the session cookie, then their group's."""

    client: httpx.Client
    id: int
    name: str
    session_id: int
    landing: str = ""

    def me(self) -> dict[str, Any]:
        reply = self.client.get(f"/course/api/live/sessions/{self.session_id}/me")
        reply.raise_for_status()
        me: dict[str, Any] = reply.json()
        return me

    def open_group_notebook(self) -> httpx.Response:
        """Follow the participant page's "Open the group notebook" to JupyterLab's page;
        the XSRF header is set from then on, as JupyterLab's own requests carry it."""
        door = self.client.get(f"/course/live/s/{self.session_id}/notebook")
        if door.status_code != 302:
            raise AssertionError(f"the notebook's door answered {door.status_code}")
        self.landing = door.headers["Location"]
        page = self.client.get(self.landing)
        if "_xsrf" in self.client.cookies:
            self.client.headers["X-XSRFToken"] = self.client.cookies["_xsrf"]
        return page

    @property
    def headers(self) -> dict[str, str]:
        """What a websocket of this browser sends: its cookies (and the XSRF header)."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies.jar)
        return {
            "Cookie": cookies,
            **{k: v for k, v in self.client.headers.items() if k == "x-xsrftoken"},
        }


def join(server: CollabServer, code: str, name: str) -> Participant:
    """A new browser joining the session with ``code`` under ``name``."""
    client = httpx.Client(base_url=server.url, timeout=60)
    reply = client.post("/course/api/live/join", json={"code": code, "name": name})
    if reply.status_code != 201:
        raise AssertionError(f"join answered {reply.status_code}: {reply.text[:300]}")
    body = reply.json()
    return Participant(client, body["participant"]["id"], name, body["session"]["id"])
