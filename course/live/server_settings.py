"""What a running server applied of the course's settings, read back from the objects
that use them (``GET /course/api/server/settings``, instructors only).

Not the configuration again: the contents manager's traits, the kernel manager the
server would make for its next kernel, the collaboration extension and the ystore it
would open for its next room, the file id manager, Voila's and nbgrader's own
objects. So a deployer (and ``tests/live/test_server_settings.py``) can see that a
server started by ``jupyter lab``, ``jupyterhub-singleuser`` or ``course serve`` is
the course server. Keys are ``Section.trait`` as in ``course_config``; classes and
callables by their import name; an extension that is off shows as ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Reader = Callable[[Any], dict[str, Any]]


def applied_settings(serverapp: Any) -> dict[str, Any]:
    """Every course setting as the server's objects hold it."""
    settings: dict[str, Any] = {"ServerApp.root_dir": serverapp.root_dir}
    for reader in READERS:
        settings.update(reader(serverapp))
    return settings


def _contents(serverapp: Any) -> dict[str, Any]:
    contents = serverapp.contents_manager
    return {
        "ContentsManager.hide_globs": list(contents.hide_globs),
        "ContentsManager.pre_save_hook": _name(contents.pre_save_hook),
    }


def _kernels(serverapp: Any) -> dict[str, Any]:
    """The kernel manager the server's own factory makes for a new kernel (none started)."""
    kernels = serverapp.kernel_manager
    manager = kernels.kernel_manager_factory(parent=kernels, log=kernels.log)
    return {"KernelManager.client_factory": _name(manager.client_factory)}


def _collaboration(serverapp: Any) -> dict[str, Any]:
    ydoc = serverapp.web_app.settings.get("jupyter_server_ydoc")
    store = ydoc.ywebsocket_server.ystore_class(path="settings-probe") if ydoc else None
    files = serverapp.web_app.settings.get("file_id_manager")
    return {
        "SQLiteYStore.db_path": getattr(store, "db_path", None),
        "YDocExtension.session_store_path": ydoc.session_store_path if ydoc else None,
        "BaseFileIdManager.db_path": files.db_path if files else None,
    }


def _voila(serverapp: Any) -> dict[str, Any]:
    """The configuration Voila handed its ``/voila/render`` handler (its route kwargs)."""
    voila = next(_route_kwargs(serverapp.web_app.default_router, "/voila/render/"), {}).get(
        "voila_configuration"
    )
    return {
        "VoilaConfiguration.template": voila.template if voila else None,
        "VoilaConfiguration.resources": dict(voila.resources) if voila else None,
        "VoilaConfiguration.prelaunch_hook": _name(voila.prelaunch_hook) if voila else None,
    }


def _nbgrader(serverapp: Any) -> dict[str, Any]:
    """The formgrader's course directory (what it grades) and the exchange it would use."""
    formgrader = serverapp.web_app.settings.get("nbgrader_formgrader")
    if formgrader is None:
        return {"CourseDirectory": None, "Exchange": None}
    coursedir = formgrader.coursedir
    names = sorted(coursedir.trait_names(config=True))
    exchange = formgrader.config.Exchange
    return {
        **{f"CourseDirectory.{name}": _plain(getattr(coursedir, name)) for name in names},
        **{f"Exchange.{name}": _plain(exchange[name]) for name in sorted(exchange)},
    }


def _identity(serverapp: Any) -> dict[str, Any]:
    """Who decides who is calling and what they may do, and how kernels are confined."""
    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    provider = serverapp.identity_provider
    provisioners = KernelProvisionerFactory.instance(parent=serverapp)
    return {
        "ServerApp.identity_provider_class": _name(type(provider)),
        "ServerApp.authorizer_class": _name(type(serverapp.authorizer)),
        "ServerApp.kernel_manager_class": _name(type(serverapp.kernel_manager)),
        "ServerApp.session_manager_class": _name(type(serverapp.session_manager)),
        "KernelProvisionerFactory.default_provisioner_name": (
            provisioners.default_provisioner_name
        ),
        "CourseIdentity.course_root": getattr(provider, "course_root", None),
    }


def _route_kwargs(router: Any, path: str) -> Iterator[dict[str, Any]]:
    """The kwargs of every tornado route (nested routers too) whose pattern holds ``path``."""
    for rule in router.rules:
        if hasattr(rule.target, "rules"):
            yield from _route_kwargs(rule.target, path)
        elif path in getattr(getattr(rule.matcher, "regex", None), "pattern", ""):
            yield rule.target_kwargs


def _plain(value: Any) -> Any:
    """JSON-able: containers as lists, anything else unknown as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(map(str, value))
    return str(value)


def _name(thing: Any) -> str | None:
    if thing is None:
        return None
    return f"{thing.__module__}.{thing.__qualname__}"


READERS: tuple[Reader, ...] = (
    _contents,
    _kernels,
    _collaboration,
    _voila,
    _nbgrader,
    _identity,
)
