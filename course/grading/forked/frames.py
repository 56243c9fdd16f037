"""Frames between the grader and a cell runner: a 4-byte big-endian length, then JSON."""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

FRAME_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 64 << 20


def encode_frame(message: dict[str, Any]) -> bytes:
    data = json.dumps(message, default=str).encode()
    return FRAME_HEADER.pack(len(data)) + data


def read_frame(sock: socket.socket) -> dict[str, Any] | None:
    """The next frame from a blocking ``sock``, or None once it is closed."""
    header = _read_exactly(sock, FRAME_HEADER.size)
    if header is None:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    data = _read_exactly(sock, size)
    return None if data is None else json.loads(data)


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
