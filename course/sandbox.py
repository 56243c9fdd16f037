"""Confinement of one student kernel, applied in the forked child before it runs any student code.

Why each layer exists (the grader runs as root here and on CI, so file
permissions protect nothing):

* **Landlock** (Linux >= 5.13) limits the filesystem to read-only system and
  Python folders plus the private working copy; the gradebook, the source
  notebooks (hidden tests), the release and other students' work are simply
  not reachable, whatever the uid. From ABI 4 it also forbids TCP bind and
  connect, from ABI 6 signalling processes outside the sandbox.
* **Namespaces** (root only): a network namespace without network, shared by
  the kernels of one run, and a new PID namespace per kernel whose init is the
  kernel, so killing the kernel kills every process the student started, even
  ones that called ``setsid``.
* **rlimits**: address space (memory bombs raise ``MemoryError``), CPU time,
  file size, open files; **a pids cgroup** (when writable) or ``RLIMIT_NPROC``
  (unprivileged uid) caps the process count, so a fork bomb stays small.
* **Capabilities** are dropped, so a root kernel cannot undo any of this.

Everything here is best effort by design and reports what it applied; the
caller records that in the run log, so a weaker host is visible, not silent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import sys
from dataclasses import dataclass, field
from pathlib import Path

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.syscall.restype = ctypes.c_long

CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
PR_SET_PDEATHSIG = 1

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1

_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_WRITE_ALL = sum(1 << bit for bit in range(4, 13)) | _FS_WRITE_FILE  # remove/make anything
_FS_REFER = 1 << 13
_FS_TRUNCATE = 1 << 14
_FS_IOCTL_DEV = 1 << 15
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect
_SCOPE_ALL = (1 << 0) | (1 << 1)  # abstract unix sockets, signals

_READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@dataclass(frozen=True)
class Limits:
    """Resources one notebook may use; defaults suit the sample course's pandas exercises."""

    memory_bytes: int = 4 << 30
    cpu_seconds: int = 120
    processes: int = 64
    file_bytes: int = 256 << 20
    open_files: int = 1024


@dataclass
class Confinement:
    """What the child applied; sent back so the run log can show a weaker host."""

    applied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def unshare(flags: int) -> None:
    """``unshare(2)``: Python 3.11 has no ``os.unshare``."""
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, flags: int) -> None:
    """``setns(2)``: Python 3.11 has no ``os.setns``."""
    _check(_libc.setns(fd, flags), "setns")


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    result = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, 0, _LANDLOCK_CREATE_RULESET_VERSION)
    return max(int(result), 0)


def system_read_paths() -> list[Path]:
    """Folders a Python kernel must read: the OS, the interpreter and the environment's packages."""
    candidates = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt/conda"]
    candidates += [sys.prefix, sys.base_prefix, sys.exec_prefix, "/proc", "/sys"]
    resolved = {Path(path).resolve() for path in candidates if Path(path).exists()}
    return sorted(resolved)


def restrict_filesystem(read: list[Path], write: list[Path]) -> int:
    """Allow only reading ``read`` and reading/writing ``write``; returns the ABI used (0: none)."""
    abi = landlock_abi()
    if abi < 1:
        return 0
    handled = _READ | _FS_WRITE_ALL
    handled |= _FS_REFER if abi >= 2 else 0
    handled |= _FS_TRUNCATE if abi >= 3 else 0
    handled |= _FS_IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(handled, _NET_TCP if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = _check(
        _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0), "landlock"
    )
    try:
        for path in read:
            _add_rule(ruleset, path, _READ)
        for path in write:
            _add_rule(ruleset, path, handled)
        for device in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"):
            _add_rule(
                ruleset, Path(device), _FS_READ_FILE | _FS_WRITE_FILE | (handled & _FS_TRUNCATE)
            )
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _check(_libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi


def _add_rule(ruleset: int, path: Path, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not path.is_dir():  # files only take file rights
            access &= _FS_EXECUTE | _FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
        rule = _PathBeneath(access, fd)
        _check(
            _libc.syscall(
                _SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0
            ),
            f"landlock rule for {path}",
        )
    finally:
        os.close(fd)


def set_limits(limits: Limits, *, nproc: bool) -> None:
    """rlimits of the kernel; ``RLIMIT_NPROC`` only when the uid is the kernel's own."""
    pairs = [
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if nproc:
        pairs.append((resource.RLIMIT_NPROC, limits.processes))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))


def drop_capabilities() -> None:
    """Empty the bounding, effective, permitted and inheritable sets: uid 0 without power."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0:
            break
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.syscall(126 if _is_x86_64() else 91, header, data), "capset")


def _is_x86_64() -> bool:
    return os.uname().machine == "x86_64"


def pids_cgroup_root() -> Path | None:
    """A writable cgroup folder with a ``pids`` controller (v1 or v2), or None."""
    for candidate in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        usable = (candidate / "cgroup.procs").exists() and os.access(candidate, os.W_OK)
        has_pids = candidate.name == "pids" or "pids" in _read(candidate / "cgroup.controllers")
        if usable and has_pids:
            return candidate
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def join_pids_cgroup(group: Path, limit: int) -> None:
    """Put this process into ``group`` (created here) with at most ``limit`` tasks."""
    group.mkdir(exist_ok=True)
    (group / "pids.max").write_text(str(limit))
    (group / "cgroup.procs").write_text(str(os.getpid()))
