"""``course serve``: one Jupyter server for the whole course.

JupyterLab with real-time collaboration and the ``course`` extension (live sessions
on the course's SQLite store, learner events) on the course folder. Every file the
server writes for itself (collaboration store, live store) lives in the course's
data folder, never where the server happens to be started.
"""

from __future__ import annotations

from course.plan import Course


def server_argv(course: Course, *, port: int, ip: str, open_browser: bool) -> list[str]:
    """The Jupyter server's command-line settings for this course."""
    data = course.data_path
    return [
        f"--ServerApp.root_dir={course.root}",
        f"--ServerApp.port={port}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.open_browser={open_browser}",
        "--ServerApp.jpserver_extensions={'course.live': True}",
        f"--CourseLiveApp.course_root={course.root}",
        f"--SQLiteYStore.db_path={data / 'jupyter_ystore.db'}",
        "--ContentsManager.hide_globs="
        "['__pycache__', '*.pyc', '.ipynb_checkpoints', 'var', '.venv']",
    ]


def serve(
    course: Course, *, port: int = 8888, ip: str = "127.0.0.1", open_browser: bool = True
) -> None:
    """Run the course server in the foreground until interrupted."""
    from jupyterlab.labapp import LabApp  # imported here: Jupyter imports course.live to load it

    course.data_path.mkdir(parents=True, exist_ok=True)
    LabApp.launch_instance(argv=server_argv(course, port=port, ip=ip, open_browser=open_browser))
