"""What the identity provider, the Authorizer and the kernel manager of one server share.

One ``Identities`` per course server: the course, its roster (re-read when the file
changes, so ``course roster`` edits reach a running server), the sign-in key, the
event credentials, the learners' workspaces, and a short private runtime folder for
the confined kernels' sockets and the events socket (Unix socket paths are limited
to 107 bytes, so it lives under the system's temporary folder, not the course).
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cached_property
from pathlib import Path

from course.identity.codes import digest
from course.identity.credentials import Credentials, course_credentials
from course.identity.keys import course_key
from course.identity.users import CourseUser, instructor_user, learner_user
from course.layout import roster_path, workspace_folder
from course.plan import Course
from course.record.roster import Learner, Roster, read_roster
from course.workspace.workspace import Workspace, prepare_workspace, write_credential

EVENTS_SOCKET = "events.sock"


class Identities:
    """The roster, keys, credentials and workspaces of one course server."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self._roster = Roster()
        self._stamp: tuple[int, int] | None = None
        self._visited: set[str] = set()

    def roster(self) -> Roster:
        """The roster as it is on disk now (cached while the file is unchanged)."""
        path = roster_path(self.course)
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            return Roster()
        if stamp != self._stamp:
            self._roster, self._stamp = read_roster(path), stamp
        return self._roster

    def learner(self, learner_id: str) -> Learner | None:
        return self.roster().find(learner_id)

    def for_hub_user(self, hub_name: str) -> CourseUser | None:
        """A JupyterHub user as the course sees them: an instructor named in the plan,
        a roster learner (``Roster.for_hub_user``), or None: not enrolled."""
        if hub_name.casefold() in {i.casefold() for i in self.course.instructors}:
            return instructor_user(hub_name)
        learner = self.roster().for_hub_user(hub_name)
        return learner_user(learner.id, learner.name) if learner else None

    def enter(self, learner_id: str) -> Workspace:
        """What signing in does: make or refresh the learner's workspace, and write a fresh
        event credential into it (their running kernels send with it from their next
        event on). ``UnsafePath`` if the learner put a link where the server writes."""
        workspace = prepare_workspace(self.course, self.roster().get(learner_id))
        write_credential(workspace, self.credentials.issue(learner_id))
        return workspace

    def first_visit(self, learner_id: str) -> None:
        """``enter`` for a hub learner, the first time this server sees them (a code
        sign-in enters at every sign-in)."""
        if learner_id not in self._visited:
            self.enter(learner_id)
            self._visited.add(learner_id)

    def signin(self, typed_code: str) -> Learner | None:
        """The learner whose personal code this is, or None."""
        return self.roster().for_signin(digest(self.signin_key, typed_code))

    @cached_property
    def signin_key(self) -> bytes:
        return course_key(self.course, "signin-codes")

    @cached_property
    def credentials(self) -> Credentials:
        return course_credentials(self.course)

    @property
    def instructor_id(self) -> str:
        """The id the instructor's events carry: the plan's first instructor."""
        return self.course.instructors[0]

    def workspace_path(self, learner_id: str) -> str:
        """A learner's workspace as a contents-API path (relative to the course folder)."""
        return workspace_folder(self.course, learner_id).relative_to(self.course.root).as_posix()

    @cached_property
    def runtime(self) -> Path:
        """A private (0700) folder for kernels' sockets and the events socket."""
        return Path(tempfile.mkdtemp(prefix="course-"))

    @property
    def events_socket(self) -> Path:
        return self.runtime / EVENTS_SOCKET

    def close(self) -> None:
        if "runtime" in self.__dict__:
            shutil.rmtree(self.runtime, ignore_errors=True)
