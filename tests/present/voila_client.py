"""Reading a Voila page and talking to its kernel like the page's JavaScript would."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import websocket

OUTPUT = re.compile(
    r'<script type="application/vnd.voila.cell-output\+json">\s*(.*?)\s*</script>', re.S
)
CONFIG = re.compile(
    r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', re.S
)


def cell_outputs(html: str) -> list[dict[str, Any]]:
    return [json.loads(blob) for blob in OUTPUT.findall(html)]


def error_outputs(html: str) -> list[dict[str, Any]]:
    """Outputs a learner would see as a failure: errors, stderr, Voila's error banner."""
    bad = [
        o
        for o in cell_outputs(html)
        if o.get("output_type") == "error"
        or (o.get("output_type") == "stream" and o.get("name") == "stderr")
    ]
    if "There was an error when executing cell" in html:
        bad.append({"voila": "error banner"})
    return bad


def kernel_id(html: str) -> str:
    return json.loads(CONFIG.search(html).group(1))["kernelId"]


class KernelChannel:
    """The kernel websocket a Voila page opens: comm messages out, iopub messages in."""

    def __init__(self, base_url: str, kernel: str) -> None:
        ws_url = base_url.replace("http://", "ws://").rstrip("/")
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"{ws_url}/api/kernels/{kernel}/channels?session_id={self.session}", timeout=30
        )

    def send(self, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "test",
            "version": "5.3",
            "date": "",
        }
        message = {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
        self.ws.send(json.dumps(message))
        return msg_id

    def replies_to(self, msg_id: str) -> list[dict[str, Any]]:
        """Every message caused by ``msg_id`` until the kernel goes idle after it."""
        found = []
        while True:
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            found.append(message)
            state = message["content"].get("execution_state")
            if message["msg_type"] == "status" and state == "idle":
                return found

    def widget_states(self) -> dict[str, dict[str, Any]]:
        """Every widget model's state, by comm id (what the page asks for on load)."""
        reply = self.replies_to(self.send("comm_info_request", {"target_name": "jupyter.widget"}))
        comms = next(m for m in reply if m["msg_type"] == "comm_info_reply")["content"]["comms"]
        states = {}
        for comm_id in comms:
            request = {"comm_id": comm_id, "data": {"method": "request_state"}}
            for message in self.replies_to(self.send("comm_msg", request)):
                data = message["content"].get("data", {})
                if message["msg_type"] == "comm_msg" and data.get("method") == "update":
                    states[comm_id] = data["state"]
        return states

    def set_widget(self, comm_id: str, **state: Any) -> list[dict[str, Any]]:
        """Change a widget like a learner would; returns what the kernel sent back."""
        data = {"method": "update", "state": state, "buffer_paths": []}
        return self.replies_to(self.send("comm_msg", {"comm_id": comm_id, "data": data}))

    def close(self) -> None:
        self.ws.close()
