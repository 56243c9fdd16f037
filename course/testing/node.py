"""Programs from the npm registry that the tests need: JupyterHub's proxy and axe-core.

pip cannot install them, and no test may reach the internet while it runs, so the
test set-up installs them once, with ``npm ci`` from the lock file beside this module,
into the Python environment (``<sys.prefix>/node``): ``make test`` and ``.ci/run``
call ``python -m course.testing.node`` first, and a test that finds them missing
installs them itself. Reinstalled when the lock file changes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGES = Path(__file__).with_name("node")
LOCK = "package-lock.json"


class NodeToolsMissing(RuntimeError):
    """npm is not installed, or ``npm ci`` failed: the message says what to do."""


def node_prefix() -> Path:
    """Where the tools live: ``COURSE_NODE_PREFIX``, or ``node/`` in the Python environment."""
    return Path(os.environ.get("COURSE_NODE_PREFIX") or Path(sys.prefix) / "node")


def ensure_node_tools() -> Path:
    """Install the pinned packages unless the same lock file is installed; the prefix."""
    prefix = node_prefix()
    prefix.mkdir(parents=True, exist_ok=True)
    with (prefix / ".install-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers may all ask at once
        if not _installed(prefix):
            _install(prefix)
    return prefix


def node_bin(name: str) -> Path:
    """An installed package's command, e.g. ``configurable-http-proxy``."""
    return ensure_node_tools() / "node_modules" / ".bin" / name


def node_file(package: str, relative: str) -> Path:
    """A file inside an installed package, e.g. ``axe-core``'s ``axe.min.js``."""
    return ensure_node_tools() / "node_modules" / package / relative


def _installed(prefix: Path) -> bool:
    installed = prefix / LOCK
    return installed.is_file() and installed.read_bytes() == (PACKAGES / LOCK).read_bytes()


def _install(prefix: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise NodeToolsMissing(
            "npm is not installed: install Node.js and npm (Debian: apt-get install npm), "
            "then run python -m course.testing.node"
        )
    for name in ("package.json", LOCK):
        shutil.copyfile(PACKAGES / name, prefix / name)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=prefix,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        (prefix / LOCK).unlink()
        raise NodeToolsMissing(f"npm ci in {prefix} failed:\n{done.stderr[-2000:]}")


if __name__ == "__main__":
    print(f"node tools in {ensure_node_tools()}")
