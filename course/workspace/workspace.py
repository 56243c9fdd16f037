"""A learner's own workspace: their copies of the lessons and released exercises.

``var/workspaces/<learner id>/`` mirrors the course folder, so notebooks find what
they find in the course (``quizzes.yml``, ``data/``) and ``current_course()`` finds a
plan:

* ``course.yml``: the learner's view of the plan, rewritten at every sign-in: the
  live sessions' polls, group notebooks and apps are left out (the polls hold their
  answers), exercises show the learner's own due date (extensions included), and an
  exercise that is not released yet is not listed;
* the lesson notebooks, and every file that is not a notebook in the lessons'
  folders, except the files the plan names for live sessions;
* ``exercises/<assignment>/``: the student version (``course build``'s release);
* ``.course/``: the learner's private data: progress store, event credential, HOME.

Copies are made once: what the learner changed stays theirs, a new lesson or
release appears at their next sign-in. Nothing is ever written outside the
workspace, whatever links the learner's kernel put in it (``files``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ruamel.yaml import YAML

from course.layout import SOURCE_DIRECTORY, release_folder, workspace_folder
from course.plan import Course
from course.plan.loader import PLAN_FILE
from course.record.roster import Learner, due
from course.workspace.files import replace, write_new

PRIVATE = ".course"
LIVE_FILES = ("polls", "group_notebook", "present")


@dataclass(frozen=True)
class Workspace:
    """Where one learner works, and what a fresh sign-in copied there."""

    learner: str
    folder: Path
    copied: tuple[str, ...] = ()

    @property
    def private(self) -> Path:
        """The learner's own data (``COURSE_LEARNER_DATA`` of their kernels)."""
        return self.folder / PRIVATE


def prepare_workspace(course: Course, learner: Learner) -> Workspace:
    """Make or refresh ``learner``'s workspace; returns it with the files copied now."""
    folder = workspace_folder(course, learner.id)
    folder.mkdir(parents=True, exist_ok=True)
    released = _released(course)
    copied = [
        path
        for path, source in _sources(course) + _releases(course, released)
        if write_new(folder, path, source.read_bytes())
    ]
    replace(folder, PLAN_FILE, learner_plan(course, learner, released).encode())
    write_new(folder, f"{PRIVATE}/.keep", b"")
    return Workspace(learner.id, folder, tuple(copied))


def write_credential(workspace: Workspace, credential: str) -> None:
    """The learner's event credential where their kernels read it at every send."""
    from course.learn.events import CREDENTIAL_FILE

    replace(workspace.folder, f"{PRIVATE}/{CREDENTIAL_FILE}", credential.encode(), mode=0o600)


def shipped_files(course: Course, notebook: str) -> list[tuple[str, Path]]:
    """(path in the course, file) of what a notebook of the course ships with: the files
    that are not notebooks in its top folder, as a learner's workspace gets them (data,
    quizzes; never live polls, exercise sources or the data folder)."""
    top = PurePosixPath(notebook).parts[0]
    return [
        (relative, path)
        for relative, path in _sources(course)
        if not relative.endswith(".ipynb") and PurePosixPath(relative).parts[0] == top
    ]


def _sources(course: Course) -> list[tuple[str, Path]]:
    """(path in the workspace, file in the course) of the lessons and their folders' files.

    Never the exercise sources, the data folder or the plan itself; a lesson folder
    that is the course folder gives only its own files, not its subfolders'.
    """
    lessons = [m.self_paced.notebook for m in course.modules if m.self_paced]
    live = {getattr(m.live, name) for m in course.modules if m.live for name in LIVE_FILES}
    found = {lesson: course.root / lesson for lesson in lessons}
    for folder in {PurePosixPath(lesson).parent for lesson in lessons}:
        top = course.root / folder
        for path in top.glob("*") if folder == PurePosixPath(".") else top.rglob("*"):
            relative = path.relative_to(course.root).as_posix()
            if _copied(course, path, relative) and relative not in live:
                found[relative] = path
    return sorted(found.items())


def _copied(course: Course, path: Path, relative: str) -> bool:
    first = PurePosixPath(relative).parts[0]
    return (
        path.is_file()
        and not path.is_symlink()
        and path.suffix != ".ipynb"
        and relative != PLAN_FILE
        and first not in (SOURCE_DIRECTORY, course.data_dir.split("/")[0])
        and not _hidden(relative)
    )


def _hidden(relative: str) -> bool:
    return any(
        part.startswith(".") or part == "__pycache__" for part in PurePosixPath(relative).parts
    )


def _releases(course: Course, released: list[str]) -> list[tuple[str, Path]]:
    """(path in the workspace, file) of each released student version."""
    found = []
    for assignment in released:
        top = release_folder(course, assignment)
        for path in sorted(top.rglob("*")):
            relative = f"{SOURCE_DIRECTORY}/{assignment}/{path.relative_to(top).as_posix()}"
            if path.is_file() and not path.is_symlink() and not _hidden(relative):
                found.append((relative, path))
    return found


def _released(course: Course) -> list[str]:
    return [a for a in course.assignments() if any(release_folder(course, a).glob("*.ipynb"))]


def learner_plan(course: Course, learner: Learner, released: list[str]) -> str:
    """course.yml as this learner should see it (see the module's docstring)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    plan = yaml.load((course.root / PLAN_FILE).read_text(encoding="utf-8"))
    for raw in plan.get("modules", []):
        for name in LIVE_FILES:
            if raw.get("live"):
                raw["live"].pop(name, None)
        exercise = raw.get("exercise")
        if not exercise:
            continue
        assignment = exercise["assignment"]
        if assignment not in released:
            del raw["exercise"]
            continue
        if learner.extension(assignment):
            exercise["due"] = due(course, learner, assignment).isoformat(timespec="minutes")
    out = io.StringIO()
    out.write(f"# {learner.id}'s view of the plan, written by the course server.\n")
    yaml.dump(plan, out)
    return out.getvalue()
