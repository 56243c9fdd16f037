"""The course server's IdentityProvider: the instructor by Jupyter's token, a learner by
their personal sign-in code.

Jupyter's own login stays as it is for the instructor (the token in the URL, in an
``Authorization`` header, or typed on /login). A learner types their code on /login
or on the course's sign-in page (``course.identity.handlers``); either way Jupyter's
login cookie then holds a ``CourseUser`` of role ``learner`` with the first characters
of their code's digest. Every request re-checks that cookie against the roster, so a
learner removed from the roster, or given a new code, is signed out at once.

A join-code participant who opened their group's notebook from the participant page
holds the group cookie (``course.identity.participation``): without a login cookie they
are a ``CourseUser`` of role ``participant``, named as they joined; a signed-in learner
holding it keeps their role and gains the group. The group is looked up at every
request, never stored in a cookie.

A learner's or participant's identity is scoped (``course.identity.scopes``): any route not open to
learners answers 403 here, before its handler runs, whether or not the handler asks
the Authorizer.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web
from traitlets import Unicode
from traitlets.config import LoggingConfigurable

from course.identity.attempts import WrongCodes
from course.identity.participation import participation
from course.identity.scopes import may_reach
from course.identity.service import Identities
from course.identity.users import (
    INSTRUCTOR,
    LEARNER,
    CourseUser,
    instructor_user,
    learner_user,
    participant_user,
    with_group,
)
from course.plan import find_course, load_course

DIGEST_IN_COOKIE = 16


class CourseIdentity(LoggingConfigurable):
    """What every course identity provider adds to Jupyter's: the course, and the scope."""

    course_root = Unicode(
        "", config=True, help="Folder holding course.yml. Default: the server's root_dir."
    )

    _identities: Identities | None = None

    @property
    def identities(self) -> Identities:
        if self._identities is None:
            root = self.course_root or getattr(self.parent, "root_dir", ".")
            self._identities = Identities(load_course(find_course(Path(root))))
        return self._identities

    def scoped(self, handler: web.RequestHandler, user: User | None) -> User | None:
        """``user``, or 403 when anyone but the instructor asks for a route not open to
        their role (``course.identity.scopes``)."""
        if isinstance(user, CourseUser) and user.role != INSTRUCTOR:
            path = handler.request.path[len(handler.settings.get("base_url", "/")) :]
            if not may_reach(user.role, path, handler.request.method or "", user.username):
                raise web.HTTPError(403, f"{path} is not open to a {user.role or 'user'}")
        return user

    def grouped(self, handler: web.RequestHandler, user: User | None) -> User | None:
        """``user`` as a member of the live group whose cookie the request holds, if any:
        a participant when no one is signed in, a learner with their group otherwise."""
        if user is not None and (not isinstance(user, CourseUser) or user.role == INSTRUCTOR):
            return user
        found = participation(handler)
        if found is None or not found.in_group:
            return user
        if user is None:
            return participant_user(
                found.participant_id, found.name, found.group, found.folder, found.notebook
            )
        return with_group(user, found.group, found.folder, found.notebook)


class CourseIdentityProvider(CourseIdentity, IdentityProvider):
    """Instructor (token) or learner (sign-in code); see the module's docstring."""

    _failures: WrongCodes | None = None

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        return self.scoped(handler, self.grouped(handler, await self._get_user(handler)))

    # learners: the sign-in code --------------------------------------------------------

    def learner_for_code(self, handler: web.RequestHandler, typed: str) -> CourseUser | None:
        """The learner whose code ``typed`` is, or None; wrong codes are limited per address
        (``course.identity.attempts``: a room behind one router is not locked out)."""
        address = handler.request.remote_ip or "?"
        failures = self._failures = self._failures or WrongCodes()
        wait = failures.wait(address, typed)
        if wait:
            raise web.HTTPError(429, f"too many wrong codes; try again in {wait:.0f} s")
        learner = self.identities.signin(typed) if typed.strip() else None
        if learner is None:
            failures.failed(address)
            return None
        failures.succeeded(address, typed)
        return learner_user(learner.id, learner.name)

    def process_login_form(self, handler: web.RequestHandler) -> User | None:
        """Jupyter's login form: the server's token (instructor) or a learner's code."""
        typed = handler.get_argument("password", default="")
        if self.token and hmac.compare_digest(typed.encode(), self.token.encode()):
            return super().process_login_form(handler)
        return self.learner_for_code(handler, typed)

    # the login cookie: the role, and for a learner their id and code -------------------

    def user_to_cookie(self, user: User) -> str:
        """The role in the cookie, and for a learner their id and code's digest.

        A Jupyter ``User`` that is not a ``CourseUser`` came from the token: the
        instructor. A role this provider cannot write (a new kind of identity) is an
        error, never an instructor's cookie.
        """
        data = json.loads(super().user_to_cookie(user))
        role = user.role if isinstance(user, CourseUser) else INSTRUCTOR
        if role == LEARNER:
            assert isinstance(user, CourseUser)
            learner = self.identities.learner(user.learner)
            signin = learner.signin if learner else ""
            data.update(learner=user.learner, code=signin[:DIGEST_IN_COOKIE])
        elif role != INSTRUCTOR:
            raise ValueError(f"no login cookie for a {role or 'user without a role'}")
        data.update(role=role)
        return json.dumps(data)

    def user_from_cookie(self, cookie_value: str) -> User | None:
        """The cookie's user, re-checked: a learner's code must still be theirs; a cookie
        of any other role, or of none (made before the kit's provider), signs no one in."""
        data = json.loads(cookie_value)
        if data.get("role") == INSTRUCTOR:
            user = super().user_from_cookie(cookie_value)
            return user and CourseUser(**{**vars(user), "role": INSTRUCTOR})
        if data.get("role") != LEARNER:
            return None
        learner = self.identities.learner(str(data.get("learner", "")))
        code = str(data.get("code", ""))
        if learner is None or not learner.signin or len(code) != DIGEST_IN_COOKIE:
            return None
        if not hmac.compare_digest(learner.signin[:DIGEST_IN_COOKIE], code):
            return None  # a new code was issued, or this one revoked
        return learner_user(learner.id, learner.name)

    def generate_anonymous_user(self, handler: web.RequestHandler) -> User:
        """Whoever holds the token is the instructor, under the plan's first instructor id."""
        return instructor_user(self.identities.instructor_id)
