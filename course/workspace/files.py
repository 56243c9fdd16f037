"""Writing into a folder someone else controls, without following their symbolic links.

A learner's kernel can write anything in their workspace, including a symbolic link
named ``notebooks`` that points at the course's sources. The server still writes
there (new lessons, released exercises, the learner's plan, their credential), so
every write walks the path one folder at a time from the workspace, with
``O_NOFOLLOW`` and directory file descriptors: a link anywhere on the way is an
error, and swapping a folder for a link between two steps changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(PermissionError):
    """A path in a workspace leads through a symbolic link or out of the workspace."""


@contextlib.contextmanager
def folder(root: Path, relative: PurePosixPath) -> Iterator[int]:
    """A file descriptor of ``root/relative``, made where missing, never through a link."""
    if relative.is_absolute() or ".." in relative.parts:
        raise UnsafePath(f"{relative} is not a path inside {root}")
    fd = os.open(root, _DIRECTORY)
    try:
        for part in relative.parts:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=fd)
            try:
                child = os.open(part, _DIRECTORY, dir_fd=fd)
            except OSError as error:  # ELOOP (a link) or ENOTDIR (a file)
                raise UnsafePath(f"{root / relative}: {part} is not a folder") from error
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def write_new(root: Path, relative: str, data: bytes) -> bool:
    """Create ``root/relative`` with ``data`` unless something is already there; True if made."""
    path = PurePosixPath(relative)
    with folder(root, path.parent) as fd:
        try:
            out = os.open(
                path.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=fd
            )
        except FileExistsError:
            return False
        with os.fdopen(out, "wb") as handle:
            handle.write(data)
    return True


def replace(root: Path, relative: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``root/relative`` whole, atomically; a link in its place is replaced, not followed."""
    path = PurePosixPath(relative)
    with folder(root, path.parent) as fd:
        temporary = f".{path.name}.{secrets.token_hex(4)}"
        out = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=fd
        )
        try:
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
            os.rename(temporary, path.name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=fd)
            raise
