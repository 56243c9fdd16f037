"""Learners' own servers on the hub: their copy of the course, and who they are.

A learner's server starts in ``~/<course id>``, a copy of the course as the learner
would get it from the repository (with nbgitpuller on Zero to JupyterHub; on one
machine the hub's ``pre_spawn_hook`` makes it from the instructor's checkout, once:
a learner's work is never overwritten). Their roster id travels in
``$COURSE_LEARNER``, which nbgrader (submissions) and the kit (progress events) read.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path
from typing import Any

from course.layout import copy_course_files
from course.plan import Course


def learner_id(spawner: Any) -> str:
    """The roster id of the hub user whose server this is (today: their hub name)."""
    return str(spawner.user.name)


def learner_home(spawner: Any) -> Path:
    """The home folder the spawner gives the user: its own (``SimpleLocalProcessSpawner``)
    or the system account's (``LocalProcessSpawner``)."""
    home = getattr(spawner, "home_dir", None)
    return Path(home) if home else Path(pwd.getpwnam(spawner.user.name).pw_dir)


def copy_course_for_learner(course: Course, spawner: Any) -> Path:
    """``~/<course id>``: made from the course's own files if missing, owned by the learner."""
    home = learner_home(spawner)
    target = home / course.id
    if target.exists():
        return target
    copy_course_files(course, target)
    _give_to(spawner.user.name, home, target)
    return target


def _give_to(user: str, home: Path, target: Path) -> None:
    """chown the copy to the learner's system account, when there is one and we may."""
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        return  # no system account: servers run as the hub's user
    if os.geteuid() != 0 or account.pw_dir != str(home):
        return
    for path in (target, *target.rglob("*")):
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
