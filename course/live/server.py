"""``course serve``: one Jupyter server for the whole course, as a supervised child process.

JupyterLab with real-time collaboration and the ``course`` extension (live sessions
on the course's SQLite store, learner events) on the course folder. Every file the
server writes for itself (collaboration store, live store, its log) lives in the
course's data folder, never where the server happens to be started.

``serve`` runs the server as ``python -m course.live`` under ``course.processes.supervise``,
so SIGTERM, SIGINT and SIGHUP stop the server, its kernels and whatever they started.
The terminal shows what the instructor needs, the URLs last (``course.live.pages.announce``)
and errors; the server's log (and its kernels' output) goes to ``<data>/logs/serve.log``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import suppress

from traitlets.config import Config

from course.layout import log_path
from course.plan import Course
from course.present.serve import voila_env
from course.processes import errors_on_stdout, supervise

QUIET = "--course-quiet"  # first argument of the server process: errors only on the terminal


def server_argv(
    course: Course, *, port: int, ip: str, open_browser: bool, public_url: str = ""
) -> list[str]:
    """What ``course serve`` adds to the course's own settings: where the server listens,
    the browser, the URLs it prints. The course's settings themselves come with the
    extension (``course.live.server_config``), as for any server started in the course."""
    return [
        *([f"--CourseLiveApp.public_url={public_url}"] if public_url else []),
        f"--ServerApp.root_dir={course.root}",
        f"--ServerApp.port={port}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.open_browser={open_browser}",
        # Enabled by the kit's jupyter_server_config.d too; here whatever the install.
        "--ServerApp.jpserver_extensions={'course.live': True, 'course.identity': True}",
        "--CourseLiveApp.announce=True",
        # Containers, CI and workshop VMs often run as root; Jupyter refuses unless told.
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
    ]


def serve(
    course: Course,
    *,
    port: int = 8888,
    ip: str = "127.0.0.1",
    open_browser: bool = True,
    public_url: str = "",
    verbose: bool = False,
) -> None:
    """Run the course server until it is stopped; its whole process tree stops with it.

    ``verbose`` shows the server's log on the terminal instead of writing it to
    ``<data>/logs/serve.log``. Raises ``ProcessFailed`` (with the log's end) when the
    server exits on its own with an error (say, an address it cannot listen on).
    """
    course.data_path.mkdir(parents=True, exist_ok=True)
    os.environ.update({k: v for k, v in voila_env().items() if k == "JUPYTER_PATH"})
    argv = server_argv(course, port=port, ip=ip, open_browser=open_browser, public_url=public_url)
    command = [sys.executable, "-m", "course.live", *([] if verbose else [QUIET]), *argv]
    # The formgrader reads nbgrader_config.py from the working directory: the course's.
    log = None if verbose else log_path(course, "serve")
    supervise(command, log=log, name="course server", cwd=course.root)


def main(argv: list[str] | None = None) -> None:
    """The server process itself (``python -m course.live [--course-quiet] JUPYTER-OPTIONS``).

    JupyterLab started the way ``jupyter lab`` starts it (the course extension gives it
    the course's settings), its terminal quiet or not; then the event loop is wound
    down so the process really exits (see ``_finish_event_loop``).
    """
    from jupyterlab.labapp import LabApp  # imported here: Jupyter imports course.live to load it

    args = list(sys.argv[1:] if argv is None else argv)
    quiet = QUIET in args
    args = [arg for arg in args if arg != QUIET]
    serverapp = LabApp.initialize_server(argv=args, config=process_config(quiet=quiet))
    serverapp.start()
    _finish_event_loop()


def process_config(*, quiet: bool) -> Config:
    """What the server process adds for its terminal: with ``quiet``, the terminal gets
    the server's errors, its log file everything."""
    config = Config()
    if quiet:
        config.ServerApp.logging_config = errors_on_stdout("ServerApp")
    return config


def _finish_event_loop(timeout: float = 3.0) -> None:
    """Cancel what is left on the stopped loop and let it finish, as ``asyncio.run`` does.

    Jupyter Server stops its loop without ending its tasks. AnyIO stops a worker
    thread when the task that started it ends, so with a collaboration client
    connected (the ystore runs in AnyIO worker threads) the interpreter waited forever
    at exit for threads whose task never ended (SIGTERM and SIGINT alike).
    """
    loop = asyncio.get_event_loop_policy().get_event_loop()
    if loop.is_closed():
        return
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in tasks:
        task.cancel()
    with suppress(Exception):
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=timeout))
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
