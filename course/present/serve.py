"""``course present``: one notebook as a Voila app or slide deck, on preheated kernels.

The facts come from the plan: the course title and, for a notebook the plan names
as a module's ``present``, that module's title go into the template's header. Voila
runs in a child process (``course.present.voila_app``) under ``course.processes.supervise``:
SIGTERM, SIGINT or SIGHUP to ``course present`` ends Voila and every kernel it started.
The terminal shows the app's URL and errors; Voila's log goes to ``<data>/logs/present.log``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.layout import log_path
from course.plan import Course
from course.present.address import checked_ip, is_loopback, people_url
from course.processes import supervise

KIT_ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = KIT_ROOT / "extensions"
DEFAULT_POOL = 4
DEFAULT_MAX_KERNELS = 60


class PresentError(CourseError):
    """A notebook that cannot be presented (missing, not a notebook, bad options)."""


@dataclass(frozen=True)
class PresentOptions:
    """How to serve: slides or app, where, how many warm kernels, how many seats."""

    slides: bool = False
    port: int = 8866
    open_browser: bool = True
    pool: int = DEFAULT_POOL
    max_kernels: int = DEFAULT_MAX_KERNELS
    ip: str = "127.0.0.1"  # another address serves a room (course.present.address)
    verbose: bool = False  # Voila's log on the terminal instead of <data>/logs/present.log
    confine_to: Path | None = None  # kernels confined, writing there only (present.confined)


def present(course: Course, notebook: Path | str, options: PresentOptions | None = None) -> None:
    """Serve ``notebook`` until stopped; Voila and its kernels stop with it.

    Raises ``ProcessFailed`` (with the end of Voila's log) when Voila exits on its
    own with an error (say, an address it cannot listen on).
    """
    options = options or PresentOptions()
    command = voila_command(course, notebook, options)
    log = None if options.verbose else log_path(course, "present")
    supervise(command, env=voila_env(), log=log, name="Voila app server")


def voila_command(course: Course, notebook: Path | str, options: PresentOptions) -> list[str]:
    """The command line of the kit's Voila for ``notebook`` (also used by tests and benchmarks).

    Preheating is off for slides: Voila's pool renders the app template only, and a
    preheated kernel serves a page rendered with the template it was warmed for.
    """
    path = _notebook(course, notebook)
    if options.pool < 0 or options.max_kernels < 0:
        raise PresentError("--pool and --max-kernels must be 0 or more")
    ip = checked_ip(options.ip)
    preheat = options.pool > 0 and not options.slides
    command = [
        sys.executable,
        "-m",
        "course.present.voila_app",
        str(path),
        f"--port={options.port}",
        f"--Voila.ip={ip}",
        f"--template={'course-slides' if options.slides else 'course'}",
        f"--CourseVoila.course_root={course.root}",
        f"--CourseVoila.max_kernels={options.max_kernels}",
        f"--CourseVoila.quiet={not options.verbose}",
        "--VoilaConfiguration.show_tracebacks=False",
    ]
    if os.name == "posix":
        # Kernels on Unix sockets in Voila's private folder: no TCP port to race for
        # ("Address already in use"), nothing another local user can reach. Under /tmp:
        # a socket path ends at 104 bytes, and macOS's TMPDIR alone takes about 50.
        command += ["--KernelManager.transport=ipc", "--Voila.connection_dir_root=/tmp"]
    if options.confine_to is not None:
        command.append(f"--CourseVoila.confine_to={options.confine_to}")
    if not is_loopback(ip):  # a room: the URL people open, not the bound address
        command.append(f"--Voila.custom_display_url={people_url(ip, options.port)}")
    if preheat:
        command += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaConfiguration.default_pool_size={options.pool}",
        ]
    if not options.open_browser:
        command.append("--no-browser")
    return command


def voila_env() -> dict[str, str]:
    """The environment for Voila: the kit's templates on JUPYTER_PATH when run from a checkout.

    An installed wheel puts them in ``share/jupyter/voila/templates`` (shared-data);
    a checkout or an editable install finds them in ``extensions/`` through JUPYTER_PATH.
    """
    env = dict(os.environ)
    if (EXTENSIONS / "voila" / "templates" / "course").is_dir():
        paths = [str(EXTENSIONS), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
        env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def template_folders() -> list[str]:
    """Folders holding ``voila/templates/…`` (the kit's Voila templates), for nbconvert:
    the checkout's ``extensions/`` when there is one (an editable install's shared-data
    copies are as old as the install), else Jupyter's data folders (a wheel's)."""
    from jupyter_core.paths import jupyter_path

    if (EXTENSIONS / "voila" / "templates" / "course").is_dir():
        return [str(EXTENSIONS)]
    return jupyter_path()


def header(course: Course) -> dict[str, object]:
    """The template's header: the course title and, per app notebook name, its module."""
    modules = {
        Path(m.live.present).stem: f"{m.title} ({m.id})"
        for m in course.modules
        if m.live and m.live.present
    }
    return {"title": course.title, "modules": modules}


def _notebook(course: Course, notebook: Path | str) -> Path:
    path = Path(notebook)
    if not path.is_absolute():
        in_course = course.root / path  # plan paths first, then the shell's folder
        path = in_course if in_course.exists() else Path.cwd() / path
    if path.suffix != ".ipynb":
        raise PresentError(f"{notebook}: not a notebook (expected a .ipynb file)")
    if not path.is_file():
        named = ", ".join(m.live.present for m in course.modules if m.live and m.live.present)
        raise PresentError(f"{notebook}: no such notebook (the plan's apps: {named or 'none'})")
    return path.resolve()
