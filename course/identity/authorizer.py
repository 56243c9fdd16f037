"""The course server's Authorizer: what each kind of identity may do with what it reaches.

The instructor may do everything. A learner (already limited to the routes of
``course.identity.scopes``) may

* read and write files only inside their own workspace: every path a request names
  (in its URL, a rename's new path, a copy's source, a collaboration room's file) is
  resolved on disk, links included, and must stay inside it;
* use only their own kernels and sessions (the kernel manager records owners, see
  ``course.identity.kernels``);
* read kernel specs, front-end configuration and their identity;

and nothing else: no terminals, no server events, no shutdown, no instructor routes
of the course extension (resource ``course``), no resource this table does not name.

A join-code participant has the same rules with their group's folder in place of a
workspace (its notebook and the files the template ships with) and their group's
kernel in place of their own; a learner who is also in a live group has both. The
websockets a group membership opened (the group's room, its kernel) are remembered
(``course.identity.participation.RoomSockets``) and closed when the member leaves the
group.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import User
from tornado.websocket import WebSocketHandler

from course.identity.participation import ROOM_SOCKETS
from course.identity.users import INSTRUCTOR, LEARNER, PARTICIPANT, CourseUser

READ_ONLY = {"kernelspecs", "config", "api"}


class CourseAuthorizer(Authorizer):
    """Everything for the instructor; for a learner, their own files and kernels only; for
    a group's member, the group's folder and kernel."""

    async def is_authorized(self, handler: Any, user: User, action: str, resource: str) -> bool:
        if not isinstance(user, CourseUser) or user.role == INSTRUCTOR:
            return True
        if user.role not in (LEARNER, PARTICIPANT):
            return False
        allowed = await self._learner_may(handler, user, action, resource)
        if not allowed:
            self.log.warning(
                "refused %s %s: %s on %s (%s)",
                user.role,
                user.username,
                action,
                resource,
                handler.request.path,
            )
        elif user.group and isinstance(handler, WebSocketHandler):
            self._watch_group_socket(handler, user, resource)
        return allowed

    def _watch_group_socket(self, handler: Any, user: CourseUser, resource: str) -> None:
        """A room or kernel websocket opened through the group: closed if the user leaves it."""
        sockets = handler.settings.get(ROOM_SOCKETS)
        if sockets is None:
            return
        if resource == "kernels":
            through_group = self._owner(handler, handler.path_kwargs.get("kernel_id")) == user.group
        else:
            paths = requested_paths(handler)
            through_group = bool(paths) and self._in_home(handler, user.group_folder, paths[0])
        if through_group:
            sockets.watch(handler, user.group)

    async def _learner_may(
        self, handler: Any, user: CourseUser, action: str, resource: str
    ) -> bool:
        if resource in READ_ONLY:
            return action == "read"
        if resource == "csp":
            return True
        if resource in ("contents", "nbconvert"):
            paths = requested_paths(handler)
            if resource == "nbconvert" and not paths:
                return action == "read"  # the list of export formats
            if handler.request.method in ("DELETE", "PATCH") and (
                user.is_participant or self._is_workspace(handler, user, paths[0])
            ):
                return False  # the workspace stays (its contents are the learner's); a group
                # member deletes or moves nothing
            return bool(paths) and all(self._in_workspace(handler, user, p) for p in paths)
        if resource == "kernels":
            return self._own_kernel(handler, user, handler.path_kwargs.get("kernel_id"))
        if resource == "sessions":
            return await self._own_session(handler, user)
        return False

    def _in_workspace(self, handler: Any, user: CourseUser, api_path: str | None) -> bool:
        """Inside one of the user's folders: a learner's workspace, a member's group folder."""
        return any(self._in_home(handler, home, api_path) for home in self._homes(handler, user))

    def _in_home(self, handler: Any, home: str, api_path: str | None) -> bool:
        if api_path is None or not home:
            return False
        real, folder = self._real(handler, home, api_path)
        return real == folder or folder in real.parents

    def _is_workspace(self, handler: Any, user: CourseUser, api_path: str | None) -> bool:
        return api_path is not None and any(
            len(set(self._real(handler, home, api_path))) == 1
            for home in self._homes(handler, user)
        )

    def _homes(self, handler: Any, user: CourseUser) -> list[str]:
        """The folders (contents-API paths) whose files the user may read and write."""
        own = [self._identities(handler).workspace_path(user.learner)] if user.is_learner else []
        return own + ([user.group_folder] if user.group_folder else [])

    @staticmethod
    def _real(handler: Any, home: str, api_path: str) -> tuple[Path, Path]:
        """The path on disk, links resolved, and the folder ``home`` on disk."""
        root = Path(handler.settings["server_root_dir"]).resolve()
        return Path(os.path.realpath(root / api_path.strip("/"))), (root / home).resolve()

    def _own_kernel(self, handler: Any, user: CourseUser, kernel_id: str | None) -> bool:
        if not kernel_id:
            return True  # listing (filtered) or starting (confined): the kernel manager's job
        owner = self._owner(handler, kernel_id)
        return owner is not None and owner in user.owners

    @staticmethod
    def _owner(handler: Any, kernel_id: str | None) -> str | None:
        if not kernel_id:
            return None
        owner: str | None = getattr(handler.kernel_manager, "owner", lambda _: None)(kernel_id)
        return owner

    async def _own_session(self, handler: Any, user: CourseUser) -> bool:
        session_id = handler.path_kwargs.get("session_id")
        body = _json_body(handler)
        if session_id:
            found = await handler.session_manager.get_session(session_id=session_id)
            if not self._in_workspace(handler, user, found.get("path")):
                return False
        if body.get("path") is not None and not self._in_workspace(handler, user, body["path"]):
            return False
        kernel = body.get("kernel") or {}
        return not isinstance(kernel, dict) or self._own_kernel(handler, user, kernel.get("id"))

    @staticmethod
    def _identities(handler: Any) -> Any:
        return handler.identity_provider.identities


def requested_paths(handler: Any) -> list[str | None]:
    """Every contents-API path a request names: its URL's, and a rename's or copy's."""
    room = getattr(handler, "_room_id", None) or _room_of(handler)
    if room is not None:
        return [_room_path(handler, room)]
    if "path" in handler.path_kwargs:
        paths: list[str | None] = [handler.path_kwargs["path"]]
    elif handler.path_args:
        paths = [handler.path_args[-1]]
    else:
        return []
    body = _json_body(handler)
    for key in ("path", "copy_from"):
        if isinstance(body.get(key), str):
            paths.append(body[key])
    return paths


def _room_of(handler: Any) -> str | None:
    """A collaboration room's id (``json:notebook:<file id>``) when the route is a room's."""
    path = handler.request.path
    marker = "/api/collaboration/room/"
    return path.split(marker, 1)[1] if marker in path else None


def _room_path(handler: Any, room: str) -> str | None:
    """The file behind a document room; None for other rooms (global awareness: no)."""
    parts = room.split(":")
    if len(parts) != 3:
        return None
    path = handler.settings["file_id_manager"].get_path(parts[2])
    return path if isinstance(path, str) else None


def _json_body(handler: Any) -> dict[str, Any]:
    if handler.request.method in ("GET", "HEAD") or not handler.request.body:
        return {}
    try:
        body = json.loads(handler.request.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
