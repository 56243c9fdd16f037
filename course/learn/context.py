"""Where the learner API runs: whose names, which learner, which data folder, which course.

Everything here is read from the kernel and the environment at call time, so one
kernel can be pointed elsewhere (tests, a second course) by changing the environment.
"""

from __future__ import annotations

import getpass
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from course.errors import CourseError
from course.plan import Course, find_course, load_course

APP = "blended-course-kit"


def user_namespace(fallback: dict[str, Any] | None = None) -> dict[str, Any]:
    """The learner's names: the IPython user namespace, else ``fallback`` (the caller's globals).

    Read at each call, so a check sees the names as they are now, not at definition time.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        names: dict[str, Any] = shell.user_ns
        return names
    return fallback if fallback is not None else {}


def learner() -> str:
    """The actor of every event: COURSE_LEARNER (set by the server or hub), else the OS user."""
    name = os.environ.get("COURSE_LEARNER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "learner"


def data_folder() -> Path:
    """The learner's own data folder: COURSE_LEARNER_DATA, else the platform's user data dir."""
    configured = os.environ.get("COURSE_LEARNER_DATA", "").strip()
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share")
    return base / APP


def current_course(start: Path | None = None) -> Course | None:
    """The course the notebook belongs to (nearest course.yml above the working directory).

    None outside a course or when its plan does not load: a learner's check must
    work in any notebook, and ``course check`` reports plan problems on its own.
    """
    try:
        root = find_course(start or Path.cwd())
        plan = root / "course.yml"
        return _load(root, plan.stat().st_mtime_ns)
    except (CourseError, OSError):
        return None


@lru_cache(maxsize=8)
def _load(root: Path, mtime: int) -> Course:
    return load_course(root)
