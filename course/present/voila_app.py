"""The Voila application behind ``course present``: Voila plus the kernel cap and a status URL.

Run as ``python -m course.present.voila_app NOTEBOOK [Voila options]``; ``course.present.serve``
builds the options from the course plan. The standalone app (not the course server's
Voila extension) is used because only it preheats kernels and blocks ``execute_request``
from the page, and it does not suffer voila #1473 (images in markdown).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop
from traitlets import Bool, Int, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from course.plan import load_course
from course.present.address import is_loopback
from course.present.confined import PROVISIONER, ConfinedAppKernels
from course.present.kernel_client import CourseKernelClient
from course.present.room import CappedVoilaHandler, Seats
from course.present.serve import header
from course.processes import errors_on_stdout

STATUS_PATH = "/course/present/status"


class PresentStatusHandler(JupyterHandler):
    """How warm the pool is and how many seats are taken: for tests, benchmarks and
    monitoring, on this machine (a room served with --ip gets 403)."""

    def initialize(self, seats: Seats, notebook: str) -> None:
        self.seats, self.notebook = seats, notebook

    @tornado.web.authenticated
    def get(self) -> None:
        if not is_loopback(self.request.remote_ip or "0.0.0.0"):
            raise tornado.web.HTTPError(403, "the app's status is for this machine only")
        manager = self.kernel_manager
        pool = getattr(manager, "_pools", {}).get(self.notebook, [])
        status = {
            "notebook": self.notebook,
            "kernels": len(manager.list_kernel_ids()),
            "pool": len(pool),
            "pool_ready": sum(1 for entry in pool if _rendered(entry)),
            "taken": self.seats.taken(manager, self.notebook),
            "limit": self.seats.limit,
        }
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(status))


def _rendered(entry: Any) -> bool:
    """A pool entry is ready once its kernel started *and* its notebook finished rendering."""
    if not entry.done() or entry.exception():
        return False
    render = entry.result()["task"]
    return render.done() and not render.exception()


class CourseVoila(Voila):
    """Voila with a cap on visitors holding a kernel (see ``course.present.room``) and a
    kernel client that cannot strand a reply (see ``course.present.kernel_client``)."""

    name = "course-present"
    max_kernels = Int(
        0, config=True, help="Most visitors holding a kernel at once; 0 means no cap."
    )
    retry_seconds = Int(
        5, config=True, help="How often the 'room is full' page retries, in seconds."
    )
    course_root = Unicode(
        "", config=True, help="Folder of the course: its title and modules head the app's page."
    )
    confine_to = Unicode(
        "",
        config=True,
        help="A scratch folder: kernels start confined, writing there only "
        "(course.present.confined); empty: kernels start as Voila starts them.",
    )
    quiet = Bool(
        False,
        config=True,
        help="Standard output shows the app's URL and errors only (its log is standard error).",
    )

    def initialize(self, argv: Any = None) -> None:
        """Voila's setup, with ``CourseKernelClient`` for its executors unless configured.

        Voila runs each notebook through ``km.client()``; the default client can leave a
        cell waiting forever for an ``execute_reply`` that already arrived (issue 6, see
        ``course.present.kernel_client``).
        """
        super().initialize(argv)
        managers = self.config.KernelManager
        if "client_factory" not in managers and "client_class" not in managers:
            managers.client_factory = CourseKernelClient
        if self.course_root:
            # Voila's renderer reads the resources from the config, not from the trait.
            given = self.config.VoilaConfiguration.get("resources", {})
            resources = {**given, "course": header(load_course(self.course_root))}
            self.config.VoilaConfiguration.resources = resources
            self.voila_configuration.resources = resources
        if self.quiet:
            self.logging_config = errors_on_stdout(self.__class__.__name__)
        if self.confine_to:
            self._confine()

    def _confine(self) -> None:
        """Every kernel (the preheated pool's too) through ``ConfinedAppKernels``."""
        if not self.course_root:
            raise ValueError("--CourseVoila.confine_to needs --CourseVoila.course_root")
        self.voila_configuration.multi_kernel_manager_class = ConfinedAppKernels
        self.config.KernelProvisionerFactory.default_provisioner_name = PROVISIONER
        self.config.ConfinedAppKernels.scratch = self.confine_to
        self.config.ConfinedAppKernels.course_root = self.course_root

    def start(self) -> None:
        IOLoop.current().add_callback(self._announce)
        super().start()

    def _announce(self) -> None:
        """The app's URL, as the last line on the terminal, once the server listens."""
        pool = self.voila_configuration.default_pool_size
        warm = f"{pool} kernels kept warm, " if self.voila_configuration.preheat_kernel else ""
        seats = f"up to {self.max_kernels} visitors at once" if self.max_kernels else "no cap"
        print(f"\n  ({warm}{seats}; stop with Ctrl-C)", flush=True)
        print(f"  The app: {self.display_url}", flush=True)

    def init_handlers(self) -> list[Any]:
        seats = Seats(self.max_kernels)
        handlers = []
        for pattern, handler, *options in super().init_handlers():
            if handler is TornadoVoilaHandler:
                handler = CappedVoilaHandler
                options = [{**options[0], "seats": seats, "retry_seconds": self.retry_seconds}]
            handlers.append((pattern, handler, *options))
        notebook = handlers_notebook(handlers)
        status = (
            url_path_join(self.server_url, STATUS_PATH),
            PresentStatusHandler,
            {"seats": seats, "notebook": notebook},
        )
        return [status, *handlers]


def handlers_notebook(handlers: list[Any]) -> str:
    """The notebook path Voila serves in single-notebook mode ('' when serving a folder)."""
    for _pattern, handler, *options in handlers:
        if handler is CappedVoilaHandler and options and options[0].get("notebook_path"):
            return str(options[0]["notebook_path"])
    return ""


def main(argv: list[str] | None = None) -> None:
    """The Voila process ``course present`` supervises (``python -m course.present.voila_app``)."""
    CourseVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
