"""``course serve``: one Jupyter server for the whole course.

JupyterLab with real-time collaboration and the ``course`` extension (live sessions
on the course's SQLite store, learner events) on the course folder. Every file the
server writes for itself (collaboration store, live store) lives in the course's
data folder, never where the server happens to be started.
"""

from __future__ import annotations

import json
import os

from traitlets.config import Config

from course.layout import nbgrader_config
from course.plan import Course
from course.present.serve import header, voila_env


def server_argv(
    course: Course, *, port: int, ip: str, open_browser: bool, public_url: str = ""
) -> list[str]:
    """The Jupyter server's command-line settings for this course."""
    data = course.data_path
    return [
        *([f"--CourseLiveApp.public_url={public_url}"] if public_url else []),
        f"--ServerApp.root_dir={course.root}",
        f"--ServerApp.port={port}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.open_browser={open_browser}",
        "--ServerApp.jpserver_extensions={'course.live': True}",
        f"--CourseLiveApp.course_root={course.root}",
        "--CourseLiveApp.announce=True",
        # The ystore and the session list belong together: wiping one alone corrupts rooms.
        f"--SQLiteYStore.db_path={data / 'jupyter_ystore.db'}",
        f"--YDocExtension.session_store_path={data / 'collaboration_sessions.json'}",
        f"--BaseFileIdManager.db_path={data / 'file_id_manager.db'}",
        # Voila's apps under /voila/render run through km.client(); the default client can
        # strand a kernel reply during an Output-widget cell (issue 6, course.present).
        "--KernelManager.client_factory=course.present.kernel_client.CourseKernelClient",
        # The plan's apps under /voila/render with the kit's template (header, nothing
        # fetched from a CDN, accessible widgets), as ``course present`` serves them.
        "--VoilaConfiguration.template=course",
        f"--VoilaConfiguration.resources={json.dumps({'course': header(course)})}",
        *_as_argv(nbgrader_config(course)),
        "--ContentsManager.hide_globs="
        "['__pycache__', '*.pyc', '.ipynb_checkpoints', 'var', '.venv']",
        # Containers, CI and workshop VMs often run as root; Jupyter refuses unless told.
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
    ]


def _as_argv(config: Config) -> list[str]:
    """Command-line form of a traitlets Config, so the formgrader sees the plan's nbgrader setup."""
    return [
        f"--{section}.{name}={value}"
        for section, traits in config.items()
        for name, value in traits.items()
    ]


def serve(
    course: Course,
    *,
    port: int = 8888,
    ip: str = "127.0.0.1",
    open_browser: bool = True,
    public_url: str = "",
) -> None:
    """Run the course server in the foreground until interrupted."""
    from jupyterlab.labapp import LabApp  # imported here: Jupyter imports course.live to load it

    course.data_path.mkdir(parents=True, exist_ok=True)
    os.environ.update({k: v for k, v in voila_env().items() if k == "JUPYTER_PATH"})
    argv = server_argv(course, port=port, ip=ip, open_browser=open_browser, public_url=public_url)
    LabApp.launch_instance(argv=argv)
