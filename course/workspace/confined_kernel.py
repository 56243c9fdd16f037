"""A learner's ipykernel, confined before it runs: ``python -m course.workspace.confined_kernel``.

The provisioner (``course.workspace.provisioner``) launches this module instead of
``ipykernel_launcher``, with a JSON spec as the first argument and ipykernel's own
arguments after it. Before any learner code can run, and before ipykernel binds its
sockets, this process

* joins its own pids cgroup (root), so a fork bomb stays small;
* leaves the network: a network namespace of its own, with no interface up (root, or
  an unprivileged user namespace); the kernel talks ZMQ over Unix sockets in its
  private runtime folder, and posts events over the course server's Unix socket;
* sets rlimits (address space, CPU time, file size, open files);
* restricts the filesystem with Landlock: read-only system, Python and kit folders,
  read-write only the learner's workspace and the kernel's runtime folder; Landlock
  also refuses every TCP bind and connect (ABI >= 4);
* drops every capability (root).

Then ipykernel starts in this same process: the ``course`` package is imported
already, so an editable install whose folder is not readable still imports. What
was applied is written to ``confinement.json`` in the runtime folder, so the server
can log a weaker host instead of hiding it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from course import sandbox

REPORT = "confinement.json"


def confine(spec: dict[str, Any]) -> sandbox.Confinement:
    """Apply every layer the spec asks for, in the order that keeps each one possible."""
    done = sandbox.Confinement()
    root = os.geteuid() == 0
    limits = sandbox.Limits(**spec.get("limits", {}))
    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if spec.get("cgroup") and root:
        sandbox.join_pids_cgroup(Path(spec["cgroup"]), limits.processes)
        done.applied.append("pids-cgroup")
    elif root:
        done.missing.append("pids-cgroup")
    _record(done, leave_network(), "network-namespace")
    sandbox.set_limits(limits, nproc=not root)
    done.applied.append("rlimits" if root else "rlimits+nproc")
    abi = sandbox.restrict_filesystem(
        [Path(p) for p in spec["read"]], [Path(p) for p in spec["write"]]
    )
    _record(done, abi >= 1, f"landlock-abi{abi}" if abi else "landlock")
    _record(done, abi >= 4, "landlock-no-tcp")
    if root:
        sandbox.drop_capabilities()
        done.applied.append("no-capabilities")
    return done


def _record(done: sandbox.Confinement, ok: bool, name: str) -> None:
    (done.applied if ok else done.missing).append(name)


def leave_network() -> bool:
    """A network namespace of this process's own (loopback down): no network at all."""
    try:
        if os.geteuid() == 0:
            sandbox.unshare(sandbox.CLONE_NEWNET)
            return True
        uid, gid = os.geteuid(), os.getegid()
        sandbox.unshare(CLONE_NEWUSER | sandbox.CLONE_NEWNET)
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        return True
    except OSError:
        return False


CLONE_NEWUSER = 0x10000000


def main(argv: list[str]) -> None:
    spec = json.loads(argv[1])
    done = confine(spec)
    report = Path(spec["runtime"]) / REPORT
    report.write_text(json.dumps({"applied": done.applied, "missing": done.missing}))
    sys.argv = ["ipykernel_launcher", *argv[2:]]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv)
