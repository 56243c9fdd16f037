"""Where a course's files live, and nbgrader's configuration derived from the plan.

The one place for these rules: sources stay where the plan says (``exercises/``
for nbgrader's source assignments); everything generated or personal goes under
the course's ignored data folder (``var/`` unless course.yml says otherwise).
nbgrader reads its folders and gradebook from traitlets; ``nbgrader_config``
computes them from course.yml, so no fact is kept twice. A leaf module: the
capabilities import it, it imports only the plan.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from traitlets.config import Config

from course.plan import PLAN_FILE, Course, find_course, load_course
from course.plan.model import EXERCISES_DIR

SOURCE_DIRECTORY = EXERCISES_DIR
EXCHANGE_VARIABLE = "COURSE_EXCHANGE"  # nbgrader's exchange, when a hub shares one
LEARNER_VARIABLE = "COURSE_LEARNER"  # the learner a server (or kernel) acts for
GENERATED_STEPS = (
    "release",
    "submitted",
    "autograded",
    "feedback",
    "solution",
    "source_with_tests",
)


def lesson_notebooks(course: Course) -> dict[str, Path]:
    """Every notebook the plan names for learners or live sessions, by path from the course root."""
    found: dict[str, Path] = {}
    for module in course.modules:
        paths: list[str | None] = []
        if module.self_paced:
            paths.append(module.self_paced.notebook)
        if module.live:
            paths += [module.live.group_notebook, module.live.present]
        for relative in filter(None, paths):
            found[relative] = course.root / relative
    return found


def exercise_notebooks(course: Course) -> dict[str, Path]:
    """The nbgrader source notebooks of every exercise (``exercises/<assignment>/*.ipynb``)."""
    return {
        path.relative_to(course.root).as_posix(): path
        for assignment in course.assignments()
        for path in sorted((course.root / SOURCE_DIRECTORY / assignment).glob("*.ipynb"))
    }


def tracked_notebooks(course: Course) -> dict[str, Path]:
    """The course's own notebooks, kept in its repository: lessons, apps, templates, exercises."""
    return {**lesson_notebooks(course), **exercise_notebooks(course)}


NBGRADER_CONFIG_FILE = "nbgrader_config.py"


def course_files(course: Course) -> list[str]:
    """The top-level files and folders that make the course, from its root: the plan,
    nbgrader's configuration file, ``exercises/`` and every folder the plan names.
    Never the data folder, nor anything else in the repository (the kit, its tests)."""
    names = {Path(path).parts[0] for path in course.referenced_files() if len(Path(path).parts) > 1}
    names |= {PLAN_FILE, NBGRADER_CONFIG_FILE, SOURCE_DIRECTORY}
    return sorted(name for name in names if (course.root / name).exists())


def copy_course_files(course: Course, target: Path) -> Path:
    """A copy of the course's own files in ``target`` (a new folder): no generated data."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
    target.mkdir(parents=True)
    for name in course_files(course):
        if (course.root / name).is_dir():
            shutil.copytree(course.root / name, target / name, ignore=ignore)
        else:
            shutil.copy2(course.root / name, target / name)
    return target


def gradebook_path(course: Course) -> Path:
    """nbgrader's gradebook (SQLite)."""
    return course.data_path / "gradebook.db"


def gradebook_url(course: Course) -> str:
    """The gradebook as nbgrader's ``Gradebook`` and ``CourseDirectory.db_url`` take it."""
    return f"sqlite:///{gradebook_path(course)}"


def release_folder(course: Course, assignment: str) -> Path:
    """The student version of an assignment, as nbgrader's ``generate_assignment`` writes it."""
    return course.data_path / "release" / assignment


def submission_folder(course: Course, student: str, assignment: str) -> Path:
    """A learner's submission, where ``nbgrader autograde`` and ``course grade`` look."""
    return course.data_path / "submitted" / student / assignment


def collect_records_folder(course: Course, assignment: str) -> Path:
    """``course collect``'s records of an assignment: one JSON file per run, and the
    submissions a newer one replaced (``replaced/<learner>/<timestamp>/``)."""
    return course.data_path / "collected" / assignment


def exports_folder(course: Course) -> Path:
    """Where ``course export`` writes its CSV files unless told otherwise."""
    return course.data_path / "exports"


def autograded_folder(course: Course, student: str, assignment: str) -> Path:
    """A graded submission: the notebooks as run, hidden tests restored."""
    return course.data_path / "autograded" / student / assignment


def feedback_folder(course: Course, student: str, assignment: str) -> Path:
    """A learner's feedback pages, as nbgrader's ``generate_feedback`` writes them: the folder
    per learner that ``course feedback`` releases to when there is no exchange."""
    return course.data_path / "feedback" / student / assignment


def report_folder(course: Course, assignment: str) -> Path:
    """``course report``'s item analysis of an assignment: its HTML page and PNG plots."""
    return course.data_path / "reports" / assignment


def exchange_folder(course: Course) -> Path:
    """nbgrader's exchange: ``$COURSE_EXCHANGE`` where a hub shares one between servers,
    else inside the data folder (one server: the instructor's)."""
    shared = os.environ.get(EXCHANGE_VARIABLE, "").strip()
    return Path(shared) if shared else course.data_path / "exchange"


def live_store_path(course: Course) -> Path:
    """The course server's store (live sessions, learner events) when no URL is configured."""
    return course.data_path / "live.sqlite"


def site_folder(course: Course) -> Path:
    """The built syllabus, calendar and exported apps."""
    return course.data_path / "site"


def log_path(course: Course, command: str) -> Path:
    """The log of a command (``serve``, ``present``, ``build``): detail kept off the terminal."""
    return course.data_path / "logs" / f"{command}.log"


def apps_scratch_folder(course: Course) -> Path:
    """What the kernels of apps served to a room write (HOME, caches); emptied at stop."""
    return course.data_path / "apps-scratch"


def roster_path(course: Course) -> Path:
    """The class roster (personal data: names, emails, sign-in digests); never committed."""
    return course.data_path / "roster.json"


def secrets_folder(course: Course) -> Path:
    """Keys the course server signs with (sign-in codes, event credentials); mode 0700."""
    return course.data_path / "secrets"


def workspaces_folder(course: Course) -> Path:
    """Every learner's own workspace, one folder per roster id."""
    return course.data_path / "workspaces"


def workspace_folder(course: Course, learner: str) -> Path:
    """A learner's own copies of the lessons and released exercises, and their progress store."""
    return workspaces_folder(course) / learner


def ensure_gradebook(course: Course) -> Path:
    """Create the data folder and nbgrader's gradebook, stamped with nbgrader's schema revision.

    nbgrader creates a missing gradebook itself, but asks the ``alembic`` command
    on PATH for the revision: a ``.venv/bin/course`` run without the venv
    activated fails there, and leaves a gradebook without ``alembic_version``
    that ``nbgrader db upgrade`` can no longer migrate. Creating the tables and
    stamping the head revision in-process (alembic's Python API, no subprocess)
    avoids both; a gradebook that was left half-made that way is stamped too.
    Call it before anything opens a Gradebook; it does nothing to a stamped one.
    """
    from alembic.migration import MigrationContext  # imported here: alembic takes 0.2 s
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR
    from sqlalchemy import create_engine

    path = gradebook_path(course)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            migrations = MigrationContext.configure(connection)
            if migrations.get_current_revision() is None:
                Base.metadata.create_all(connection)
                migrations.stamp(ScriptDirectory(ALEMBIC_DIR), "head")
    finally:
        engine.dispose()
    return path


def nbgrader_config(course: Course) -> Config:
    """A traitlets Config that makes nbgrader's apps and API work on this course."""
    config = Config()
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.course_id = course.id
    config.CourseDirectory.source_directory = SOURCE_DIRECTORY
    for step in GENERATED_STEPS:
        setattr(config.CourseDirectory, f"{step}_directory", f"{course.data_dir}/{step}")
    config.CourseDirectory.db_url = gradebook_url(course)
    config.Exchange.root = str(exchange_folder(course))
    # Fetched assignments go into the course folder. nbgrader's assignment list also
    # reads its configuration again from there (it would read it from the server's
    # working directory, where a hub's spawner puts no nbgrader_config.py).
    config.Exchange.assignment_dir = str(course.root)
    return config


def nbgrader_file_config(config_file: str | Path) -> Config:
    """What the course's ``nbgrader_config.py`` gives nbgrader's own apps and extensions.

    nbgrader's assignment list (fetch, submit) reads only such files, never the
    server's settings. On a learner's server (``$COURSE_LEARNER`` set, as a hub's
    spawner does) it submits under that learner id, not the OS user's name. Anywhere
    else it is the instructor's, and the gradebook is made here if missing: nbgrader
    would run the ``alembic`` command, which a server started from a virtual
    environment's ``bin/`` without activating it does not find (see ``ensure_gradebook``).
    """
    course = load_course(find_course(Path(config_file)))
    config = nbgrader_config(course)
    learner = os.environ.get(LEARNER_VARIABLE, "").strip()
    if learner:
        config.CourseDirectory.student_id = learner
    else:
        ensure_gradebook(course)
    return config
