"""A submission's files on their way through grading: working copy in, ``autograded/`` out.

nbgrader's rules for which files go where (``Autograde.init_assignment``,
``BaseConverter.set_permissions``), applied to a private working copy first
and moved into ``autograded/`` in one rename once the gradebook is written:

* the working copy is the submission minus ``CourseDirectory.ignore``, then the
  source's other files over it, except ``Autograde.exclude_overwriting``;
* ``autograded/`` gets everything in the working copy after the notebooks ran
  (the files they wrote too), except notebooks, then the graded notebooks;
  symbolic links a notebook made are left out (deliberately: the grader would
  otherwise copy whatever file the link points at);
* files get ``permissions`` (nbgrader: 444, 664 when ``groupshared``), folders
  the group bits ``2770`` when ``groupshared``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from nbgrader.utils import find_all_files


def source_files(source: Path, ignore: list[str], exclude: Iterable[str]) -> list[Path]:
    """The source's files that overwrite the student's: all but notebooks and ``exclude``."""
    files = {Path(name) for name in find_all_files(str(source), [*ignore, "*.ipynb"])}
    return sorted(files - {source / name for name in exclude})


def working_copy(
    submitted: Path, work: Path, source: Path, files: list[Path], ignore: list[str]
) -> None:
    """``work``: the submission's files, then the assignment's own ``files`` over them."""
    shutil.copytree(submitted, work, symlinks=False, ignore=shutil.ignore_patterns(*ignore))
    for source_file in files:
        target = work / source_file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        shutil.copy(source_file, target)


def write_autograded(
    dest: Path,
    work: Path | None,
    outputs: dict[str, str],
    *,
    keep: bool,
    drop: Iterable[str] = (),
    permissions: int = 0o444,
    groupshared: bool = False,
) -> None:
    """Make ``dest`` from the working copy and the graded notebooks, in one rename.

    ``keep``: start from the ``dest`` already there (grading some notebooks
    only, with ``--notebook``), whose notebooks named in ``drop`` go.
    """
    partial = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    _remove(partial)
    if keep and dest.is_dir():
        shutil.copytree(dest, partial)
        for name in drop:
            (partial / f"{name}.ipynb").unlink(missing_ok=True)
    partial.mkdir(parents=True, exist_ok=True)
    if work is not None:
        for path in _plain_files(work):
            target = partial / path.relative_to(work)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.chmod(0o644)
                target.unlink()
            shutil.copyfile(path, target)
    for notebook, text in outputs.items():
        target = partial / f"{notebook}.ipynb"
        if target.exists():
            target.chmod(0o644)
            target.unlink()
        target.write_text(text, encoding="utf-8")
    set_permissions(partial, permissions, groupshared)
    _replace(dest, partial)


def set_permissions(folder: Path, permissions: int, groupshared: bool) -> None:
    """nbgrader's ``set_permissions``: files to ``permissions``, folders group-shared if asked."""
    for dirname, _, filenames in os.walk(folder):
        for filename in filenames:
            os.chmod(os.path.join(dirname, filename), permissions)
        if groupshared:
            group_share(Path(dirname))


def group_share(folder: Path) -> None:
    mode = folder.stat().st_mode
    if mode & 0o2770 != 0o2770:
        folder.chmod((mode | 0o2770) & 0o2777)


def remove(dest: Path) -> None:
    """Remove a folder of read-only files (nbgrader's files are 444)."""
    _remove(dest)


def _plain_files(folder: Path) -> list[Path]:
    """Regular files under ``folder``; notebooks, symbolic links and what is under them left out."""
    found = []
    for dirname, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirname, d))]
        for filename in filenames:
            path = Path(dirname) / filename
            if path.suffix != ".ipynb" and not path.is_symlink() and path.is_file():
                found.append(path)
    return found


def _replace(dest: Path, partial: Path) -> None:
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        os.rename(dest, old)
    os.rename(partial, dest)
    _remove(old)


def _remove(folder: Path) -> None:
    if not folder.exists():
        return
    for dirname, _, _ in os.walk(folder):
        os.chmod(dirname, 0o755)
    shutil.rmtree(folder)
