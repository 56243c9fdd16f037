"""The ``course.identity`` server extension: the learner's sign-in page and JupyterLab's
page for learners.

Enabled next to ``course.live`` by ``course serve`` (and the enable file in
``extensions/``). It needs the server configured with the kit's identity classes
(``course.identity.config.identity_config``, which ``course serve`` passes).
Without them it adds nothing: a plain ``jupyter lab`` stays a one-person server.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.extension.application import ExtensionApp

from course.identity.participation import ROOM_SOCKETS, RoomSockets
from course.identity.provider import CourseIdentityProvider
from course.identity.users import CourseUser

# JupyterLab plugins whose server side learners are refused: their menus would only 403.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:menu",
    "@jupyterlab/terminal-extension",
    "@voila-dashboards/jupyterlab-preview",
)
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"  # a phone-covering prompt


class CourseIdentityApp(ExtensionApp):
    """Learners' sign-in, and their JupyterLab opening in their own workspace."""

    name = "course_identity"
    load_other_extensions = True
    _events: Any = None

    @property
    def provider(self) -> CourseIdentityProvider | None:
        assert self.serverapp is not None  # linked before any of this runs
        provider = self.serverapp.identity_provider
        return provider if isinstance(provider, CourseIdentityProvider) else None

    def initialize_settings(self) -> None:
        if self.provider is None:
            self.log.info("course: no CourseIdentityProvider; learners cannot sign in")
            return
        assert self.serverapp is not None
        settings = self.serverapp.web_app.settings
        settings[ROOM_SOCKETS] = RoomSockets()
        previous = settings.get("page_config_hook")

        def hook(handler: Any, page_config: dict[str, Any]) -> dict[str, Any]:
            config = previous(handler, page_config) if previous else page_config
            return learner_page_config(handler, config)

        settings["page_config_hook"] = hook

    def initialize_handlers(self) -> None:
        from course.identity.handlers import routes

        if self.provider is not None:
            self.handlers.extend(routes())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Listen for confined kernels' events on the runtime folder's Unix socket."""
        if self.provider is None:
            return
        from course.identity.events_socket import listen_for_events

        identities = self.provider.identities
        self._events = listen_for_events(
            serverapp.web_app, identities.events_socket, serverapp.base_url
        )
        self.log.info("course: kernels' events on %s", identities.events_socket)

    async def stop_extension(self) -> None:
        if self._events is not None:
            self._events.stop()
        if self.provider is not None and self.provider._identities is not None:
            self.provider._identities.close()


def learner_page_config(handler: Any, page_config: dict[str, Any]) -> dict[str, Any]:
    """A learner's JupyterLab: their workspace as the file browser's home, no terminals,
    not the server's folder on disk, and never the server's token; a participant's: their
    group's folder. A copy: Jupyter shares the dict it passes."""
    user = handler.current_user
    if not (isinstance(user, CourseUser) and (user.is_learner or user.is_participant)):
        return page_config
    disabled = [*page_config.get("disabledExtensions", []), *INSTRUCTOR_PLUGINS]
    if user.is_learner:
        home = handler.identity_provider.identities.workspace_path(user.learner)
    else:
        home = user.group_folder
        first_layout(handler, user.username)
        disabled.append(NEWS_PLUGIN)
    return {
        **page_config,
        # JupyterLab writes the server's token (the instructor's) into every page it
        # serves; a learner's or participant's browser would send it with every request
        "token": "",
        "preferredPath": f"/{home}",
        "terminalsAvailable": False,
        "serverRoot": "",
        "disabledExtensions": disabled,
    }


# A participant's first JupyterLab layout: the sidebars closed, so on a phone the group's
# notebook (which the URL opens) fills the screen instead of the file browser.
FIRST_LAYOUT = {
    "left": {"collapsed": True, "visible": True, "widgets": ["filebrowser"]},
    "right": {"collapsed": True, "visible": True, "widgets": []},
}


def first_layout(handler: Any, name: str) -> None:
    """Save ``FIRST_LAYOUT`` as JupyterLab workspace ``name`` unless it has one already."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    apps = handler.serverapp.extension_manager.extension_apps.get("jupyterlab", set())
    folder = next((app.workspaces_dir for app in apps if getattr(app, "workspaces_dir", "")), "")
    if not folder:
        return
    manager = WorkspacesManager(folder)
    if manager.load(name).get("data"):
        return
    layout = {"data": {"layout-restorer:data": FIRST_LAYOUT}, "metadata": {"id": f"/{name}"}}
    manager.save(name, json.dumps(layout))
