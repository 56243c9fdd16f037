"""``course present``: one notebook as a Voila app or slide deck, on preheated kernels.

The facts come from the plan: the course title and, for a notebook the plan names
as a module's ``present``, that module's title go into the template's header. Voila
runs in a child process (``course.present.voila_app``) so Ctrl-C, a crash or a test
ends the server and every kernel it started together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.plan import Course

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
    ip: str = "127.0.0.1"


def present(course: Course, notebook: Path | str, options: PresentOptions | None = None) -> int:
    """Serve ``notebook`` until interrupted; returns Voila's exit code."""
    options = options or PresentOptions()
    command = voila_command(course, notebook, options)
    try:
        return subprocess.run(command, env=voila_env(), check=False).returncode
    except KeyboardInterrupt:
        return 0


def voila_command(course: Course, notebook: Path | str, options: PresentOptions) -> list[str]:
    """The command line of the kit's Voila for ``notebook`` (also used by tests and benchmarks).

    Preheating is off for slides: Voila's pool renders the app template only, and a
    preheated kernel serves a page rendered with the template it was warmed for.
    """
    path = _notebook(course, notebook)
    if options.pool < 0 or options.max_kernels < 0:
        raise PresentError("--pool and --max-kernels must be 0 or more")
    resources = {"course": header(course)}
    preheat = options.pool > 0 and not options.slides
    command = [
        sys.executable,
        "-m",
        "course.present.voila_app",
        str(path),
        f"--port={options.port}",
        f"--Voila.ip={options.ip}",
        f"--template={'course-slides' if options.slides else 'course'}",
        f"--VoilaConfiguration.resources={json.dumps(resources)}",
        f"--CourseVoila.max_kernels={options.max_kernels}",
        "--VoilaConfiguration.show_tracebacks=False",
    ]
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
