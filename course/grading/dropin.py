"""``course grade`` in an existing nbgrader course: nbgrader's configuration, as nbgrader loads it.

An instructor's course folder has an ``nbgrader_config.py`` and no course.yml.
``nbgrader autograde`` reads ``nbgrader_config.py`` from Jupyter's config
folders, the current folder and the course root (``CourseDirectory.root``),
then its command line: its aliases (``--student``, ``--notebook``, ``--db``,
``--course-dir``), its flags (``--force``, ``--create``, ``--no-execute``) and any
``--Class.trait=value``. ``nbgrader_course_config`` does the same with
traitlets' own loaders, without importing nbgrader's apps (their import pulls
in nbgrader's server extensions, over a second before the first notebook
could run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import ConfigFileNotFound, KVArgParseConfigLoader, PyFileConfigLoader

from course.errors import CourseError

CONFIG_FILE = "nbgrader_config.py"

# nbgrader autograde's aliases and flags, as config (nbgrader/apps/baseapp.py, autogradeapp.py)
ALIASES = {
    "student": "CourseDirectory.student_id",
    "notebook": "CourseDirectory.notebook_id",
    "db": "CourseDirectory.db_url",
    "course_dir": "CourseDirectory.root",
    "course_id": "CourseDirectory.course_id",
}
FLAGS = {
    "force": {"BaseConverter": {"force": True}},
    "create": {"Autograde": {"create_student": True}},
    "no_execute": {"Execute": {"enabled": False}, "ClearOutput": {"enabled": False}},
}


class NbgraderConfigError(CourseError):
    """The nbgrader configuration cannot be read (a config file or a ``--Class.trait`` setting)."""


def is_nbgrader_course(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file()


def nbgrader_course_config(
    folder: Path, settings: Mapping[str, object], argv: Sequence[str] = ()
) -> Config:
    """The config ``nbgrader autograde`` would run with, started in ``folder``.

    ``settings``: the aliases and flags above by name (None or False: not given);
    ``argv``: further ``--Class.trait=value`` arguments.
    """
    folder = folder.resolve()
    config = Config()
    config.CourseDirectory.root = str(folder)
    for directory in [*reversed(_jupyter_config_path()), str(folder)]:
        config.merge(_load_file(directory))
    root = Path(config.CourseDirectory.root)
    if root.resolve() != folder:  # nbgrader also reads the course root's config file
        config.merge(_load_file(str(root)))
    config.merge(_command_line(settings, argv))
    if "AutogradeApp" in config:  # nbgrader's own migration of the old section name
        config.Autograde.merge(config.pop("AutogradeApp"))
    if str(folder) not in sys.path:  # as nbgrader: plugins and hooks import from here
        sys.path.insert(0, str(folder))
    return config


def _command_line(settings: Mapping[str, object], argv: Sequence[str]) -> Config:
    config = Config()
    for name, value in settings.items():
        if name in ALIASES and value not in (None, ""):
            section, trait = ALIASES[name].split(".")
            config[section][trait] = value
        elif name in FLAGS and value:
            config.merge(Config(FLAGS[name]))
    unknown = [arg for arg in argv if not (arg.startswith("--") and "." in arg.split("=")[0])]
    if unknown:
        raise NbgraderConfigError(
            f"unknown option(s) {' '.join(unknown)}: nbgrader settings are --Class.trait=value"
        )
    try:
        config.merge(KVArgParseConfigLoader(list(argv)).load_config())
    except (SystemExit, ValueError) as error:
        raise NbgraderConfigError(f"cannot read {' '.join(argv)}: {error}") from None
    return config


def _load_file(directory: str) -> Config:
    try:
        return PyFileConfigLoader(CONFIG_FILE, path=directory).load_config()
    except ConfigFileNotFound:
        return Config()
    except Exception as error:  # the instructor's Python file: say which one failed and how
        path = os.path.join(directory, CONFIG_FILE)
        raise NbgraderConfigError(f"{path}: {type(error).__name__}: {error}") from None


def _jupyter_config_path() -> list[str]:
    from jupyter_core.paths import jupyter_config_path

    return jupyter_config_path()
