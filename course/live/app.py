"""The ``course`` Jupyter server extension: configuration, the store, and the routes.

One ``CourseLiveApp`` holds every Jupyter-side setting as a trait (``--CourseLiveApp.db_url``
and friends, or ``c.CourseLiveApp`` in a config file); the course facts come from
course.yml. The store is migrated at startup; the service, its worker thread and the
channels (``runtime.Live``) are handed to every handler through its route kwargs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jupyter_server.extension.application import ExtensionApp, ExtensionAppJinjaMixin
from jupyter_server.utils import url_path_join
from traitlets import Bool, Dict, Float, Int, TraitError, Unicode, default, validate

from course.errors import CourseNotFound
from course.identity.credentials import course_credentials
from course.identity.environment import events_environment, server_person
from course.identity.kernels import CourseKernelManager
from course.live.apps import RoomApps
from course.live.groups import make_group_notebooks
from course.live.heap import LongLivedHeap
from course.live.ratelimit import DEFAULT_RATES, Rate, RateLimiter
from course.live.rooms import GroupDirectory
from course.live.routes import routes
from course.live.runtime import Live
from course.live.server_config import apply_course_config, served_folder
from course.live.service import LiveService
from course.live.stalls import StallWatch, watch_loop
from course.live.store import Store, sqlite_url
from course.plan import Course, find_course, load_course
from course.record.roster import load_roster

TEMPLATES = Path(__file__).parent / "templates"


class CourseLiveApp(ExtensionAppJinjaMixin, ExtensionApp):
    """Live sessions (polls, questions, groups) and learner events for one course."""

    name = "course"
    extension_url = "/course/live/"
    load_other_extensions = True
    stall_watch: StallWatch | None = None
    heap: LongLivedHeap | None = None

    course_root = Unicode(
        "",
        config=True,
        help="Folder holding course.yml (or below it). Default: the server's root_dir.",
    )
    db_url = Unicode(
        "",
        config=True,
        help="SQLAlchemy URL of the live-session store, e.g. postgresql+psycopg://u@host/db. "
        "Default: SQLite (WAL) at <course data folder>/live.sqlite.",
    )
    max_participants = Int(2000, config=True, help="Joins allowed per live session.")
    push_interval = Float(
        0.05, config=True, help="Seconds between websocket pushes of one session (coalescing)."
    )
    rate_limits = Dict(
        {},
        config=True,
        help="Override rate limits: {action: [per_second, burst]}; actions: "
        + ", ".join(DEFAULT_RATES),
    )
    stall_seconds = Float(
        2.0,
        config=True,
        help="Log every thread's stack when the event loop has not run for this long, "
        "and long full garbage collections (course.live.stalls); 0: off.",
    )
    freeze_heap = Bool(
        True,
        config=True,
        help="Keep the server's long-lived objects out of full garbage collections, "
        "which otherwise stall every room for tenths of seconds (course.live.heap).",
    )
    serve_apps = Bool(
        True,
        config=True,
        help="Serve a session's presentation app to its participants (course.live.apps).",
    )
    app_pool = Int(2, config=True, help="Preheated kernels of each app served to a room.")
    store_workers = Int(
        0, config=True, help="Threads for store calls; default 1 for SQLite, 4 otherwise."
    )
    announce = Bool(
        False,
        config=True,
        help="Print the learner, instructor and join URLs and a QR code once the server listens.",
    )
    public_url = Unicode(
        "",
        config=True,
        help="The server's URL as participants' phones reach it, e.g. http://192.168.1.20:8888/ "
        "or https://class.example.org/jupyter/ behind a proxy (including the server's "
        "base_url path). When set, the join URL and QR code on the presenter page and the "
        "URLs `course serve` prints use it instead of the address the browser or server "
        "uses locally.",
    )
    kernel_environment = Bool(
        True,
        config=True,
        help="On a server without the kit's kernel manager (a plain jupyter lab, a hub's "
        "single-user server), give kernels COURSE_EVENTS_URL, COURSE_LEARNER and an event "
        "credential of the server's one person (COURSE_EVENTS_TOKEN), so their progress "
        "events come to this server. The kit's kernel manager gives each kernel its own.",
    )

    live: Live

    @default("template_paths")
    def _default_template_paths(self) -> list[str]:
        """The pages' templates; a path put first in the trait overrides them by name."""
        return [str(TEMPLATES)]

    @default("jinja2_options")
    def _default_jinja2_options(self) -> dict[str, Any]:
        return {"trim_blocks": True, "lstrip_blocks": True}

    @validate("public_url")
    def _check_public_url(self, proposal: Any) -> str:
        return normalise_public_url(proposal["value"])

    def _link_jupyter_server_extension(self, serverapp: Any) -> None:
        """Linked before the server makes its managers: the course's settings go in now
        (``course.live.server_config``), whichever command started the server."""
        super()._link_jupyter_server_extension(serverapp)
        root = Path(self.course_root or served_folder(serverapp)).expanduser()
        try:
            course = load_course(find_course(root))
        except CourseNotFound as error:
            self.log.warning("course: not a course folder, no course settings: %s", error)
            return
        applied = apply_course_config(serverapp, course)
        self.log.info("course: %s's server settings (%d)", course.id, _count(applied))

    def initialize_settings(self) -> None:
        assert self.serverapp is not None  # ExtensionApp links it before initialising
        course = load_course(find_course(Path(self.course_root or self.serverapp.root_dir)))
        store = Store(self.db_url or sqlite_url(_data(course) / "live.sqlite"))
        store.migrate()
        base_url = self.serverapp.base_url
        service = LiveService(
            store,
            course,
            max_participants=self.max_participants,
            notebook_link=lambda path: url_path_join(base_url, "lab/tree", quote(path)),
            group_notebooks=make_group_notebooks,
        )
        rates = DEFAULT_RATES | {k: Rate(*v) for k, v in self.rate_limits.items()}
        self.live = Live(
            service,
            credentials=course_credentials(course),
            limiter=RateLimiter(rates),
            push_interval=self.push_interval,
            workers=self.store_workers or (1 if store.is_sqlite else 4),
            public_url=self.public_url,
            apps=RoomApps(course, self.serverapp.ip or "127.0.0.1", pool=self.app_pool)
            if self.serve_apps
            else None,
        )
        self._group_rooms(GroupDirectory(service))
        self.log.info("course: live sessions of %s on %s", course.id, store.engine.url)

    def _group_rooms(self, directory: GroupDirectory) -> None:
        """Participants become Jupyter users in their group's room (``course.identity``):
        the identity provider asks ``directory``; new groups or an ended session drop what
        it remembers and close the rooms members have left."""
        from course.identity.participation import PARTICIPATIONS, recheck_rooms

        assert self.serverapp is not None
        settings = self.serverapp.web_app.settings
        settings[PARTICIPATIONS] = self.live.rooms = directory

        def changed(session_id: int) -> None:
            directory.forget(session_id)
            closed = recheck_rooms(settings)
            if closed:
                self.log.info("course: %d group sockets closed in session %d", closed, session_id)

        self.live.membership_changed.append(changed)

    def initialize_handlers(self) -> None:
        """Every route gets the running ``Live`` as its kwarg (see ``course.live.routes``)."""
        self.handlers.extend(routes(self.live))

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Guard the formgrader (every extension is loaded now), then announce the URLs and
        point kernels at the events endpoint (the port is known now)."""
        from course.live.formgrader_guard import guard_formgrader  # imports nbgrader: not at start

        guard_formgrader(serverapp.web_app)
        self.stall_watch = watch_loop(self.log, self.stall_seconds)
        if self.freeze_heap:
            self.heap = LongLivedHeap()
            self.heap.start()
        if self.announce:
            from course.live.pages import announce

            announce(serverapp, public_url=self.public_url)
        if not self.kernel_environment or isinstance(serverapp.kernel_manager, CourseKernelManager):
            return  # the kit's kernel manager gives every kernel its own credential
        url = url_path_join(
            f"http://127.0.0.1:{serverapp.port}", serverapp.base_url, "course/api/events"
        )
        course = self.live.service.course
        person = server_person(load_roster(course))
        os.environ.update(events_environment(self.live.credentials, person, url))

    async def stop_extension(self) -> None:
        if self.stall_watch is not None:
            self.stall_watch.stop()
        if self.heap is not None:
            self.heap.stop()
        self.live.close()


def normalise_public_url(url: str) -> str:
    """``url`` ending in ``/``, or "" for none; TraitError unless it is an http(s) URL."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise TraitError(
            f"public_url: {url!r} is not an http(s) URL such as http://192.168.1.20:8888/"
        )
    return url if url.endswith("/") else url + "/"


def _count(config: Any) -> int:
    return sum(len(traits) for traits in config.values())


def _data(course: Course) -> Path:
    course.data_path.mkdir(parents=True, exist_ok=True)
    return course.data_path
