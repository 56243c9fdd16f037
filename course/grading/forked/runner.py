"""The cell runner: a forked, confined process that runs one notebook's cells on IPython's shell.

Why not a Jupyter kernel: a forked ipykernel still spends about 65 ms of CPU
starting (sockets, threads, a shell) and 6 ms per cell on its messaging (ZMQ,
signing, an IO thread), several times what the student's code costs. The
grader only needs what a kernel publishes for a cell: streams, display data,
the execute result, errors and the reply's status.

What stays ipykernel's: the shell is ipykernel's own ``ZMQInteractiveShell``
(its display hook, display publisher, traceback and ``exit`` handling, and
its caching compiler, so tracebacks read ``Cell In[3], line 2`` as in a
kernel), built once in the fork server before any fork; the reply follows
``IPythonKernel.do_execute``; ``input`` raises as in a kernel that does not
allow stdin. Only the transport differs: the shell's ``Session.send`` writes
each message as a frame on a Unix socket, and stdout/stderr (Python's and the
file descriptors') become stream messages at the same points ipykernel flushes.
The shell itself is built and prepared in the fork server (``shell``).

Frames are a 4-byte big-endian length and a JSON object. The grader sends
``{"code", "cell_id"}``; the runner answers with zero or more
``{"msg_type", "content"}`` and then ``{"reply": {...}}``.
"""

from __future__ import annotations

import builtins
import contextlib
import getpass
import io
import os
import socket
import sys
from datetime import UTC, datetime
from types import MethodType
from typing import Any

from ipykernel.kernelbase import Kernel
from jupyter_client.session import Session

from course.grading.forked.frames import encode_frame, read_frame

MAX_LINES = 1000  # nbgrader's LimitOutput.max_lines: stream lines after these are dropped anyway
FLUSH_BYTES = 64 << 10  # ipykernel flushes on a timer; a bound on the buffer does the same job
FD_READ_BYTES = 1 << 20


class _Channel:
    """The runner's end of the socket; counts stream lines so a flood costs nothing to send."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lines = 0

    def send(self, message: dict[str, Any]) -> None:
        self.sock.sendall(encode_frame(message))

    def send_stream(self, name: str, text: str) -> None:
        if self.lines > MAX_LINES:
            return
        lines = text.split("\n")
        if self.lines + len(lines) > MAX_LINES + 1:
            text = "\n".join(lines[: MAX_LINES + 2 - self.lines])
        self.lines += len(lines)
        self.send({"msg_type": "stream", "content": {"name": name, "text": text}})


class Publisher(Session):
    """ipykernel's Session, minus ZMQ: ``send`` hands the message to the runner's channel."""

    channel: _Channel | None = None

    def send(  # type: ignore[override]
        self, stream: Any, msg_or_type: Any, content: Any = None, parent: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        if isinstance(msg_or_type, dict):
            message = msg_or_type
        else:
            message = self.msg(msg_or_type, content, parent)
        if self.channel is not None:
            self.channel.send({"msg_type": message["msg_type"], "content": message["content"]})
        return message


class _Stream(io.TextIOBase):
    """sys.stdout or sys.stderr: text is kept until a flush, then sent as one stream message.

    ``fd_file`` receives what the file descriptor itself gets (C code, child
    processes); it is read at each flush, as ipykernel forwards captured fd output.
    """

    def __init__(self, name: str, fd: int, fd_file: Any, channel: _Channel) -> None:
        super().__init__()
        self.name = name
        self._fd = fd
        self._fd_file = fd_file
        self._channel = channel
        self._parts: list[str] = []
        self._size = 0

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._channel.lines <= MAX_LINES:
            self._parts.append(text)
            self._size += len(text)
            if self._size > FLUSH_BYTES:
                self.flush()
        return len(text)

    def flush(self) -> None:
        captured = b""
        if self._fd_file is not None:
            if self._channel.lines > MAX_LINES:
                self._fd_file.seek(0, os.SEEK_END)
            captured = self._fd_file.read(FD_READ_BYTES)
        text = "".join(self._parts) + (captured.decode("utf-8", "replace") if captured else "")
        self._parts, self._size = [], 0
        if text:
            self._channel.send_stream(self.name, text)


def serve(shell: Any, sock: socket.socket, run_dir: str, confinement: list[str]) -> None:
    """Say ready, run cells as the grader sends them until it closes the socket; never returns."""
    from ipykernel.ipkernel import IPythonKernel  # the fork server's, already imported

    channel = _Channel(sock)
    # the kernel's language_info, which the grader (who never imports ipykernel) records
    channel.send({"ready": confinement, "language_info": dict(IPythonKernel.language_info)})
    shell.displayhook.session.channel = channel
    streams = [_capture(name, fd, run_dir, channel) for name, fd in (("stdout", 1), ("stderr", 2))]
    sys.stdout, sys.stderr = streams
    if "" not in sys.path:
        sys.path.insert(0, "")  # as IPKernelApp.init_path: the working folder's modules import
    while (request := read_frame(sock)) is not None:
        channel.lines = 0
        started = _now()
        reply = _execute(shell, request["code"], request.get("cell_id"), streams)
        channel.send({"reply": {**reply, "started": started, "finished": _now()}})
        if shell.exit_now:  # exit() in a cell: a kernel stops after its reply
            break
    os._exit(0)


def _capture(name: str, fd: int, run_dir: str, channel: _Channel) -> _Stream:
    """Point file descriptor ``fd`` at a file the stream reads from at each flush.

    Under pytest ipykernel leaves the descriptors alone (its ``OutStream``
    checks ``PYTEST_CURRENT_TEST``), so fd output is lost there; so here too.
    """
    if "PYTEST_CURRENT_TEST" in os.environ:
        return _Stream(name, fd, None, channel)
    path = os.path.join(run_dir, f"fd{fd}.out")
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    os.dup2(target, fd)
    os.close(target)
    return _Stream(name, fd, open(path, "rb", buffering=0), channel)


def _execute(shell: Any, code: str, cell_id: str | None, streams: list[_Stream]) -> dict[str, Any]:
    """``IPythonKernel.do_execute`` for one cell; ``input`` refused by ipykernel's own methods."""
    saved_input, saved_getpass = builtins.input, getpass.getpass
    builtins.input = MethodType(Kernel.raw_input, shell.kernel)
    getpass.getpass = MethodType(Kernel.getpass, shell.kernel)
    try:
        result = shell.run_cell(code, store_history=True, silent=False, cell_id=cell_id)
    finally:
        builtins.input, getpass.getpass = saved_input, saved_getpass
    for stream in {id(s): s for s in (sys.stdout, sys.stderr, *streams)}.values():
        _flush_quietly(stream)
    error = result.error_before_exec
    if error is None:
        error = result.error_in_exec
    reply: dict[str, Any] = {"execution_count": shell.execution_count - 1}
    if result.success and not getattr(shell, "_last_traceback_during_displayhook", False):
        reply["status"] = "ok"
    else:
        reply.update(
            status="error",
            traceback=shell._last_traceback or [],
            ename=str(type(error).__name__),
            evalue=str(error),
        )
    shell.payload_manager.clear_payload()
    return reply


def _flush_quietly(stream: Any) -> None:
    with contextlib.suppress(Exception):  # a student's replacement stream may fail to flush
        stream.flush()


def _now() -> str:
    """A timestamp as nbclient writes them into ``metadata.execution``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def connect(path: str) -> socket.socket:
    """Connect to the grader's socket (it listens before asking for the fork, so it is there)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock
