"""The course server's settings, as Jupyter configuration: one source for every server.

``course serve``, a plain ``jupyter lab`` or ``jupyter server`` started in a course
folder (Binder), ``jupyterhub-singleuser`` (a hub's workshop service, learners'
servers): whichever server loads the ``course`` extension gets ``course_config``,
applied when the extension is linked (``CourseLiveApp._link_jupyter_server_extension``).
That is before the server makes its contents and kernel managers and before
jupyter-collaboration, the file id manager, Voila and nbgrader read their settings:
Jupyter links extensions in the order of their names, and ``course.live`` sorts before
``jupyter_server_*``, ``jupyterlab``, ``nbgrader.*`` and ``voila.*``.

A setting the server was given otherwise (its command line, a config file) wins over
the course's, as a deployer expects. ``course serve`` adds only where it listens.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from traitlets.config import Config

from course.identity.config import identity_config
from course.layout import nbgrader_config
from course.plan import Course
from course.present.serve import header
from course.present.xsrf import set_xsrf_cookie

HIDDEN = ["__pycache__", "*.pyc", ".ipynb_checkpoints", "var", ".venv"]


def course_config(course: Course) -> Config:
    """Every setting that makes a Jupyter server this course's server."""
    config = Config()
    data = course.data_path
    # The ystore and the session list belong together: wiping one alone corrupts rooms.
    config.SQLiteYStore.db_path = str(data / "jupyter_ystore.db")
    config.YDocExtension.session_store_path = str(data / "collaboration_sessions.json")
    config.BaseFileIdManager.db_path = str(data / "file_id_manager.db")
    # Voila's apps under /voila/render run through km.client(); the default client can
    # strand a kernel reply during an Output-widget cell (issue 6, course.present).
    config.KernelManager.client_factory = "course.present.kernel_client.CourseKernelClient"
    # The plan's apps under /voila/render with the kit's template (header, nothing
    # fetched from a CDN, accessible widgets), as ``course present`` serves them; the
    # hook gives Voila's page the cookie its closing tab needs to free the kernel.
    config.VoilaConfiguration.template = "course"
    config.VoilaConfiguration.resources = {"course": header(course)}
    config.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie
    # The formgrader also reads nbgrader_config.py from the working directory.
    config.merge(nbgrader_config(course))
    # Saving a source notebook of the plan drops its outputs (course check wants none).
    config.ContentsManager.pre_save_hook = "course.outputs.clear_outputs_of_sources"
    config.ContentsManager.hide_globs = list(HIDDEN)
    # Who may do what: the instructor by token, learners by their code, each in their own
    # workspace with confined kernels (course.identity.config).
    config.merge(identity_config(course.root))
    return config


def not_given(config: Config, given: Config) -> Config:
    """The settings of ``config`` that ``given`` does not set."""
    missing = Config()
    for section, traits in config.items():
        already = given.get(section, {})
        for name, value in traits.items():
            if name not in already:
                missing[section][name] = value
    return missing


def apply_course_config(serverapp: Any, course: Course) -> Config:
    """Give the server the course's settings it was not given otherwise; what it got."""
    missing = not_given(course_config(course), serverapp.config)
    serverapp.update_config(missing)
    return missing


def served_folder(serverapp: Any) -> Path:
    """The folder the server serves once every extension is linked.

    ``jupyterhub-singleuser`` sets ``root_dir`` from ``$JUPYTERHUB_ROOT_DIR`` (the
    spawner's ``notebook_dir``) only when it is linked itself, after ``course.live``
    ("jupyterhub" sorts later), and only if its command line gave no root.
    """
    hub_root = os.environ.get("JUPYTERHUB_ROOT_DIR", "").strip()
    from_hub = serverapp.jpserver_extensions.get("jupyterhub", False)
    given = serverapp.cli_config.get("ServerApp", {})
    if hub_root and from_hub and "root_dir" not in given:
        return Path(hub_root).expanduser()
    return Path(serverapp.root_dir)
