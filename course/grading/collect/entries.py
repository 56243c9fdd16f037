"""The files of a source, read without trusting it: a zip archive or a folder.

Submissions come from people, and a zip from anywhere it was downloaded, so both
are read as hostile input:

* a zip entry whose name leaves the archive (``../``, an absolute path, a drive
  letter, a backslash path) or that is a symbolic link refuses the whole archive
  with ``PermissionError`` before anything is written: an LMS never makes one, so
  the archive was made to attack;
* in a folder (the exchange, a plain folder) a symbolic link or any other file that
  is not a regular file is never followed nor opened: it is listed as refused, so
  one learner's planted link cannot read another's work nor block everyone's
  collection; files are opened with ``O_NOFOLLOW`` and checked again after opening;
* a file is read at most ``Limits.file_bytes`` + 1 bytes (a zip entry's declared
  size can lie, a zip bomb inflates), and a zip's entries together at most
  ``Limits.total_bytes``, else ``CollectError``.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from course.errors import CourseError


class CollectError(CourseError):
    """A source cannot be collected from; the message names the source and why."""


class RefusedSource(CollectError, PermissionError):
    """A source built to attack (a zip-slip path, a link in a zip): refused whole.

    A ``PermissionError`` for callers that guard against attacks, and a kit error
    for the command line, which shows its message without a traceback.
    """


@dataclass(frozen=True)
class Limits:
    """How much a source may hold: per file, in all (zip), and how many entries."""

    file_bytes: int = 20 * 1024 * 1024
    total_bytes: int = 2 * 1024 * 1024 * 1024
    entries: int = 100_000


class TooLarge(Exception):
    """A file holds more than ``Limits.file_bytes``."""


@dataclass(frozen=True)
class Entry:
    """One file of a source: its path inside the source, size, time, and how to read it.

    ``kind`` is ``file``, or ``link`` / ``special`` for what a folder holds but the
    collector refuses (those have no reader). ``modified`` is aware (UTC) or None.
    """

    parts: tuple[str, ...]
    size: int
    modified: datetime | None
    kind: str
    reader: Callable[[int], bytes] | None = None
    owner: int | None = None  # the uid owning the file (folders only)

    @property
    def path(self) -> str:
        return "/".join(self.parts)

    def read(self, limit: int) -> bytes:
        """The file's bytes; ``TooLarge`` past ``limit`` (however large it said it was)."""
        if self.reader is None:
            raise PermissionError(f"{self.path}: a {self.kind} is never read")
        data = self.reader(limit)
        if len(data) > limit:
            raise TooLarge(self.path)
        return data


_DRIVE = re.compile(r"^[A-Za-z]:")


def _zip_parts(archive: Path, name: str) -> tuple[str, ...]:
    """The path parts of a zip entry; PermissionError for one that would leave the archive."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or "\x00" in name:
        raise RefusedSource(
            f"{archive}: entry {name!r} is an absolute path (a zip-slip attack?); "
            "nothing was collected from this archive"
        )
    parts = tuple(part for part in re.split(r"[\\/]", name) if part not in ("", "."))
    if ".." in parts:
        raise RefusedSource(
            f"{archive}: entry {name!r} points outside the archive (a zip-slip attack?); "
            "nothing was collected from this archive"
        )
    return parts


def zip_entries(archive: Path, tz: ZoneInfo, limits: Limits) -> Iterator[Entry]:
    """Every file of a zip; its time (zip stores local wall-clock time) read in ``tz``.

    The archive is checked whole first, so a hostile entry anywhere refuses it
    before any entry is read.
    """
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise CollectError(f"{archive}: not a readable zip archive ({error})") from None
    with handle:
        infos = handle.infolist()
        if len(infos) > limits.entries:
            raise CollectError(f"{archive}: {len(infos)} entries, more than {limits.entries}")
        checked = []
        for info in infos:
            parts = _zip_parts(archive, info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise RefusedSource(
                    f"{archive}: entry {info.filename!r} is a symbolic link; "
                    "nothing was collected from this archive"
                )
            if not info.is_dir() and parts:
                checked.append((parts, info))
        budget = [limits.total_bytes]
        for parts, info in checked:
            modified = datetime(*info.date_time, tzinfo=tz).astimezone(UTC)
            yield Entry(parts, info.file_size, modified, "file", _zip_reader(handle, info, budget))


def _zip_reader(
    handle: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]
) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        if info.flag_bits & 0x1:
            raise ValueError("the entry is encrypted")
        with handle.open(info) as stream:
            data = stream.read(limit + 1)
        budget[0] -= len(data)
        if budget[0] < 0:
            raise CollectError(
                f"{handle.filename}: the archive expands beyond its limit; is it a zip bomb?"
            )
        return data

    return read


def folder_entries(
    folder: Path, limits: Limits, top: Callable[[str], bool] = lambda name: True
) -> Iterator[Entry]:
    """Every entry under ``folder``, symbolic links and special files included (not followed).

    ``top`` picks the top-level names to look at (the exchange holds every
    assignment's submissions; only this one's count towards the limits).
    """
    count = 0
    stack: list[tuple[Path, tuple[str, ...]]] = [(folder, ())]
    while stack:
        current, prefix = stack.pop()
        with os.scandir(current) as scan:
            items = sorted(
                (item for item in scan if prefix or top(item.name)), key=lambda item: item.name
            )
        for item in items:
            count += 1
            if count > limits.entries:
                raise CollectError(f"{folder}: more than {limits.entries} entries")
            parts = (*prefix, item.name)
            info = item.stat(follow_symlinks=False)
            modified = datetime.fromtimestamp(info.st_mtime, UTC)
            owner = info.st_uid
            if stat.S_ISLNK(info.st_mode):
                yield Entry(parts, info.st_size, modified, "link", owner=owner)
            elif stat.S_ISDIR(info.st_mode):
                stack.append((Path(item.path), parts))
            elif stat.S_ISREG(info.st_mode):
                reader = _file_reader(Path(item.path))
                yield Entry(parts, info.st_size, modified, "file", reader, owner)
            else:
                yield Entry(parts, 0, modified, "special", owner=owner)


def _file_reader(path: Path) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        # O_NOFOLLOW: a file swapped for a link after the listing is refused, not followed;
        # O_NONBLOCK: one swapped for a FIFO cannot hang the collector
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise PermissionError(f"{path}: not a regular file")
            return stream.read(limit + 1)

    return read
