"""Group notebooks for live sessions: one copy of the module's template per group.

Forming groups is pure file work, free of the live-session store, so the store
(which persists membership) and this module can change independently. A group
notebook is an ordinary file under the course's data folder
(``var/live/<session>/group-<n>.ipynb``); jupyter-collaboration turns it into a
shared room as soon as anyone opens it, so the link is all a member needs.

Copies are made once: forming groups again for the same session keeps every
notebook that already exists, because a group may already have worked in it.
"""

from __future__ import annotations

import math
import os
import random
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import nbformat
from nbformat.corpus.words import generate_corpus_id

from course.errors import CourseError
from course.plan import Course
from course.workspace.files import UnsafePath, write_new
from course.workspace.files import folder as no_link_folder
from course.workspace.workspace import shipped_files

__all__ = [
    "Group",
    "GroupError",
    "form_groups",
    "group_folder",
    "group_path",
    "lab_link",
    "make_group_notebooks",
    "session_notebooks",
    "split_members",
]

_SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_GROUP_FOLDER = re.compile(r"^group-(\d+)$")


class GroupError(CourseError):
    """Groups cannot be formed as asked; the message says what would work."""


@dataclass(frozen=True)
class Group:
    """One group: its members, its notebook (relative to the course root) and the link to it."""

    number: int
    members: tuple[str, ...]
    path: str
    link: str


def lab_link(path: str, base_url: str = "/") -> str:
    """The JupyterLab URL that opens ``path`` (relative to the server root).

    With jupyter-collaboration enabled, opening a notebook joins its shared room,
    so every member who follows the same link edits the same document.
    """
    prefix = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    return f"{prefix}lab/tree/{quote(path, safe='/')}"


def group_folder(course: Course, session_id: str, number: int) -> str:
    """Group ``number``'s folder in a session, relative to the course root."""
    _check_session_id(session_id)
    folder = PurePosixPath(Path(course.data_dir).as_posix()) / "live" / session_id
    return str(folder / f"group-{number}")


def group_path(course: Course, session_id: str, number: int, template: str) -> str:
    """Where group ``number`` keeps its copy of ``template`` (a path in the course)."""
    return str(PurePosixPath(group_folder(course, session_id, number)) / template)


def split_members(
    members: list[str], *, size: int | None = None, count: int | None = None, seed: object = None
) -> list[tuple[str, ...]]:
    """Split members into balanced groups (sizes differ by at most one).

    ``size`` is the group size wanted; ``count`` the number of groups; give exactly
    one. A split by size leaves no one alone: rather than a group of one, one group
    gets a member more than ``size`` (3 members in groups of 2 make one group of 3).
    Only a size of 1, or a count that asks for it, gives groups of one.

    The order does not depend on how members arrived: they are sorted, then shuffled
    with ``seed``, so the same seed always gives the same groups.
    """
    if (size is None) == (count is None):
        raise GroupError("give either a group size or a number of groups, not both or neither")
    if not members:
        raise GroupError("no members to put into groups; wait until participants have joined")
    duplicates = sorted({m for m in members if members.count(m) > 1})
    if duplicates:
        raise GroupError(f"members must be unique; listed more than once: {', '.join(duplicates)}")
    if size is not None:
        if size < 1:
            raise GroupError(f"group size must be at least 1, not {size}")
        count = math.ceil(len(members) / size)
        if size > 1 and count > 1 and len(members) // count < 2:
            count -= 1  # the last member would be alone: they join a group instead
    assert count is not None
    if count < 1 or count > len(members):
        raise GroupError(
            f"number of groups must be between 1 and {len(members)} "
            f"(the number of members), not {count}"
        )
    order = sorted(members)
    random.Random(str(seed)).shuffle(order)
    base, extra = divmod(len(order), count)
    groups, start = [], 0
    for index in range(count):
        end = start + base + (1 if index < extra else 0)
        groups.append(tuple(order[start:end]))
        start = end
    return groups


def form_groups(
    course: Course,
    module_id: str,
    session_id: str,
    members: list[str],
    *,
    size: int | None = None,
    count: int | None = None,
    seed: object = None,
    base_url: str = "/",
) -> list[Group]:
    """Split members into groups and give each group its own copy of the module's template.

    ``seed`` defaults to the session id: forming the same session's groups twice
    gives the same groups. Existing group notebooks are never overwritten.
    """
    template = _template(course, module_id)
    split = split_members(
        members, size=size, count=count, seed=session_id if seed is None else seed
    )
    paths = _copy_for_groups(course, template, module_id, session_id, len(split))
    return [
        Group(number, group_members, paths[number], lab_link(paths[number], base_url))
        for number, group_members in enumerate(split, start=1)
    ]


def make_group_notebooks(
    course: Course, session: Mapping[str, Any], groups: Sequence[Any]
) -> dict[int, str]:
    """The live service's hook: a notebook per formed group, as group number → path.

    A module without a group notebook simply gives its groups none.
    """
    module = course.module(session["module"])
    if module.live is None or module.live.group_notebook is None:
        return {}
    template = _template(course, module.id)
    return _copy_for_groups(course, template, module.id, str(session["id"]), len(groups))


def _copy_for_groups(
    course: Course, template: Path, module_id: str, session_id: str, count: int
) -> dict[int, str]:
    paths = {}
    relative = template.relative_to(course.root).as_posix()
    shipped = shipped_files(course, relative)
    for number in range(1, count + 1):
        paths[number] = group_path(course, session_id, number, relative)
        root = course.root / group_folder(course, session_id, number)
        root.mkdir(parents=True, exist_ok=True)
        try:
            for path, source in shipped:
                write_new(root, path, source.read_bytes())
            _copy_once(template, root, relative, module_id, session_id, number)
        except UnsafePath as error:
            raise GroupError(
                f"group {number}'s folder has a link where its files go ({error}); "
                "remove the link, then form the groups again"
            ) from None
    return paths


def session_notebooks(course: Course, session_id: str, base_url: str = "/") -> dict[int, str]:
    """Every group notebook of a session, as group number → link, for the instructor."""
    session = (course.root / group_folder(course, session_id, 1)).parent
    found = {}
    for folder in sorted(session.glob("group-*")) if session.is_dir() else []:
        match = _GROUP_FOLDER.match(folder.name)
        notebook = next(_notebooks(folder), None) if match else None
        if match and notebook is not None:
            path = notebook.relative_to(course.root).as_posix()
            found[int(match.group(1))] = lab_link(path, base_url)
    return dict(sorted(found.items()))


def _notebooks(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.ipynb")):
        if not any(part.startswith(".") for part in path.relative_to(folder).parts):
            yield path


def _check_session_id(session_id: str) -> None:
    if not _SESSION_ID.match(session_id):
        raise GroupError(
            f"session id {session_id!r} cannot name a folder; use 1-64 letters, digits, - or _"
        )


def _template(course: Course, module_id: str) -> Path:
    try:
        module = course.module(module_id)
    except KeyError:
        known = ", ".join(m.id for m in course.modules)
        raise GroupError(f"no module {module_id!r} in course.yml; modules: {known}") from None
    if module.live is None or module.live.group_notebook is None:
        raise GroupError(
            f"course.yml: module {module_id!r} has no live.group_notebook; "
            "add one (for example notebooks/live/groups.ipynb) to run group exercises"
        )
    template = course.root / module.live.group_notebook
    if not template.is_file():
        raise GroupError(
            f"course.yml: modules[{module_id}].live.group_notebook: "
            f"{module.live.group_notebook} does not exist"
        )
    return template


def _copy_once(
    template: Path, root: Path, relative: str, module_id: str, session_id: str, number: int
) -> None:
    """Write the group's copy at ``root/relative`` unless it exists, atomically, so a
    half-written file never opens, and never through a link: the group's kernel can
    write in ``root`` (``course.workspace.files.folder`` walks it without following any).

    Cell ids are made present (nbformat 4.5): jupyter-collaboration rebuilds a room
    from disk deterministically only when every cell carries its id.
    """
    notebook = nbformat.read(template, as_version=4)
    notebook.nbformat_minor = max(notebook.nbformat_minor, 5)
    for cell in notebook.cells:
        cell.setdefault("id", generate_corpus_id())
    notebook.metadata["course"] = {"module": module_id, "session": session_id, "group": number}
    path = PurePosixPath(relative)
    with no_link_folder(root, path.parent) as fd:
        tmp = f".group-{secrets.token_hex(4)}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=fd)
        try:
            with os.fdopen(out, "w", encoding="utf-8") as handle:
                nbformat.write(notebook, handle)
            # fails if the copy exists (or another request made it first): that copy wins
            os.link(tmp, path.name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp, dir_fd=fd)
