"""Closed by default: an identity whose role has no rules reaches nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from course.identity.authorizer import CourseAuthorizer
from course.identity.provider import CourseIdentityProvider
from course.identity.scopes import may_reach
from course.identity.users import PARTICIPANT, CourseUser, instructor_user, learner_user
from tests.sample import copy_sample_course


@pytest.mark.parametrize("role", ["", "visitor"])
def test_a_role_without_routes_reaches_no_route(role: str) -> None:
    for path in ("lab", "api/contents/notebooks", "api/kernels", "course/api/live/sessions"):
        assert not may_reach(role, path, "GET", "someone")


def test_a_participant_reaches_jupyterlab_but_no_terminal_and_deletes_nothing() -> None:
    me = "participant-7"
    assert may_reach(PARTICIPANT, "lab/workspaces/participant-7/tree/x.ipynb", "GET", me)
    assert may_reach(PARTICIPANT, "api/collaboration/session/x.ipynb", "PUT", me)
    assert not may_reach(PARTICIPANT, "lab/api/workspaces/participant-8", "PUT", me)
    assert not may_reach(PARTICIPANT, "api/terminals", "GET", me)
    assert not may_reach(PARTICIPANT, "api/contents/x.ipynb", "DELETE", me)
    assert not may_reach(PARTICIPANT, "api/contents/x.ipynb", "PATCH", me)
    assert not may_reach(PARTICIPANT, "formgrader", "GET", me)


def test_a_learner_reaches_their_own_lab_layout_only() -> None:
    assert may_reach("learner", "lab/api/workspaces/ada", "PUT", "ada")
    assert not may_reach("learner", "lab/api/workspaces/grace", "PUT", "ada")
    assert not may_reach("learner", "api/terminals", "GET", "ada")


def test_a_user_made_without_a_role_has_no_rights() -> None:
    nobody = CourseUser(username="x")
    authorizer = CourseAuthorizer()
    assert not asyncio.run(authorizer.is_authorized(None, nobody, "read", "contents"))
    assert asyncio.run(authorizer.is_authorized(None, instructor_user("ada"), "write", "course"))
    assert learner_user("ada", "Ada").role == "learner"


def test_the_login_cookie_never_turns_another_role_into_the_instructor(tmp_path: Path) -> None:
    provider = CourseIdentityProvider(course_root=str(copy_sample_course(tmp_path / "c")))
    participant = CourseUser(username="p1", role=PARTICIPANT)
    with pytest.raises(ValueError, match="no login cookie for a participant"):
        provider.user_to_cookie(participant)
    boss = json.loads(provider.user_to_cookie(instructor_user("ada")))
    assert boss["role"] == "instructor"
    assert provider.user_from_cookie(json.dumps({**boss, "role": PARTICIPANT})) is None
    assert provider.user_from_cookie(json.dumps({"username": "ada", "name": "ada"})) is None
    signed_in = provider.user_from_cookie(json.dumps(boss))
    assert isinstance(signed_in, CourseUser) and signed_in.role == "instructor"
