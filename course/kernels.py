"""Kernels the kit runs itself (``course check``, ``course build``): private, quiet, on sockets.

nbclient's default kernel manager talks to its kernel over TCP on loopback. Every
kernel then warned "running over TCP without encryption" on the command's
terminal, any local user could reach its ports, and under load a kernel sometimes
failed to start: the manager picks free ports and the kernel binds them a moment
later, after another process took one ("Address already in use").
``PrivateKernelManager`` uses the ``ipc`` transport with its sockets in a folder of
its own (mode 0700), and appends the kernel's own output (its startup warnings, the
"KeyboardInterrupt caught in kernel" jupyter_client's shutdown provokes, a crash
report) to a log file instead of the terminal.

Why the folder: with ``transport = "ipc"`` and no connection file yet,
jupyter_client names the sockets ``kernel-ipc-N`` relative to the current folder,
and the kernel binds them relative to its own working folder (the notebook's), so
the two never met (the kernel "didn't respond in 60 seconds") and socket files
were left in the course's sources.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode, default
from traitlets.config import Config

__all__ = ["PrivateKernelManager", "private_kernel"]

SOCKET_PATH_MAX = 100  # bytes: Unix socket paths end at 104 (macOS) or 108 (Linux), with a NUL


class PrivateKernelManager(AsyncKernelManager):
    """A kernel on Unix sockets in a private folder, its output appended to ``output``."""

    output = Unicode(
        "",
        config=True,
        help="File the kernel's standard output and error are appended to; '' for none.",
    )

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc" if os.name == "posix" else "tcp"  # ZMQ has no ipc on Windows

    @default("connection_file")
    def _default_connection_file(self) -> str:
        return os.path.join(_socket_folder(), "kernel.json")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """jupyter_client's documented override point, here to choose where output goes."""
        if not self.output:
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        Path(self.output).parent.mkdir(parents=True, exist_ok=True)
        with open(self.output, "ab") as log:  # the kernel keeps its own copy of the handle
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:  # the sockets and the connection file are gone: the folder too
            shutil.rmtree(os.path.dirname(self.connection_file), ignore_errors=True)


def _socket_folder() -> str:
    """A new private folder whose sockets' paths fit (a deep TMPDIR, as under pytest, may not)."""
    folder = tempfile.mkdtemp(prefix="course-kernel-")
    if len(os.path.join(folder, "kernel-ipc-99")) > SOCKET_PATH_MAX:
        os.rmdir(folder)
        folder = tempfile.mkdtemp(prefix="course-kernel-", dir="/tmp")
    return folder


def private_kernel(output: Path | None = None) -> dict[str, Any]:
    """Keyword arguments for nbclient's ``NotebookClient``: its kernel a private one.

    nbclient then creates, starts and shuts down the manager itself (it does not shut
    down a kernel whose manager it was handed).
    """
    config = Config({"PrivateKernelManager": {"output": str(output or "")}})
    return {"kernel_manager_class": PrivateKernelManager, "config": config}
