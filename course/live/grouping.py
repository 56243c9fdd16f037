"""Groups of a live session's participants: who is in which group, and its notebook.

Forming groups reshuffles everyone who joined (replacing earlier groups) and then asks
the group-notebook hook (``GroupNotebooks``, by default ``course.live.groups``, which
copies files) for a notebook per group. The hook runs inside the transaction: when it
fails (a template deleted since the server started), the earlier groups stay.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from course.live import rows, views
from course.live.errors import Conflict
from course.live.groups import split_members
from course.live.schemas import FormGroups
from course.live.store import Group, LiveSession, Participant, Store
from course.plan import Course


@dataclass(frozen=True)
class FormedGroup:
    """What the group-notebook hook gets for each group it should prepare."""

    id: int
    number: int
    members: list[dict[str, Any]]


class GroupNotebooks(Protocol):
    """The call point for ``course.live.groups``: copy a notebook per group, return paths.

    Called in the worker thread right after groups are formed; returns, for each
    group number, the notebook path relative to the server root. Missing numbers
    simply have no notebook.
    """

    def __call__(
        self, course: Course, session: dict[str, Any], groups: list[FormedGroup]
    ) -> Mapping[int, str]: ...


class Grouping:
    """The groups of every session of one store.

    ``notebook_link`` turns a notebook path into the URL members open; ``notebooks``
    is the hook used when ``form`` is given none.
    """

    def __init__(
        self,
        store: Store,
        course: Course,
        *,
        notebook_link: Callable[[str], str] | None = None,
        notebooks: GroupNotebooks | None = None,
    ) -> None:
        self.store, self.course = store, course
        self.notebook_link = notebook_link or (lambda path: path)
        self.notebooks = notebooks

    def form(
        self, session_id: int, spec: FormGroups, notebooks: GroupNotebooks | None = None
    ) -> list[dict[str, Any]]:
        """Shuffle the participants into groups (replacing earlier groups), then let the
        group-notebook hook prepare a notebook per group."""
        hook = notebooks or self.notebooks
        with self.store.session() as db:
            session = rows.get(db, LiveSession, session_id)
            people = list(
                db.scalars(select(Participant).where(Participant.session_id == session_id))
            )
            if not people:
                raise Conflict("nobody has joined yet; groups need participants")
            by_id = {str(p.id): p for p in people}
            count = min(spec.count, len(people)) if spec.count else None
            # A fresh seed: forming groups again is how an instructor reshuffles them.
            split = split_members(
                list(by_id), size=spec.size, count=count, seed=secrets.token_hex(8)
            )
            db.execute(
                update(Participant)
                .where(Participant.session_id == session_id)
                .values(group_id=None)
            )
            db.execute(delete(Group).where(Group.session_id == session_id))
            groups = [Group(session_id=session_id, number=n + 1) for n in range(len(split))]
            db.add_all(groups)
            db.flush()
            for group, members in zip(groups, split, strict=True):
                for member in members:
                    by_id[member].group_id = group.id
            db.flush()
            if hook is not None:
                formed = [
                    FormedGroup(
                        g.id,
                        g.number,
                        [views.participant_json(p) for p in people if p.group_id == g.id],
                    )
                    for g in groups
                ]
                paths = hook(self.course, views.session_json(session, instructor=True), formed)
                for group in groups:
                    group.notebook_path = paths.get(group.number)
            return self.views(db, session_id)

    def of_session(self, session_id: int) -> list[dict[str, Any]]:
        with self.store.session() as db:
            rows.get(db, LiveSession, session_id)
            return self.views(db, session_id)

    def views(self, db: Session, session_id: int) -> list[dict[str, Any]]:
        """Every group of the session with its members and notebook link."""
        groups = db.scalars(
            select(Group).where(Group.session_id == session_id).order_by(Group.number)
        ).all()
        people = db.scalars(
            select(Participant)
            .where(Participant.session_id == session_id, Participant.group_id.is_not(None))
            .order_by(Participant.id)
        ).all()
        return [
            views.group_json(
                g, [p for p in people if p.group_id == g.id], self._link(g.notebook_path)
            )
            for g in groups
        ]

    def of(self, db: Session, person: Participant) -> dict[str, Any] | None:
        """The participant's group, or None before groups are formed."""
        if person.group_id is None:
            return None
        group = rows.get(db, Group, person.group_id)
        members = db.scalars(select(Participant).where(Participant.group_id == group.id)).all()
        return views.group_json(group, members, self._link(group.notebook_path))

    def _link(self, path: str | None) -> str | None:
        return self.notebook_link(path) if path else None
