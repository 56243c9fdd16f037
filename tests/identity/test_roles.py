"""Closed by default: an identity whose role has no rules reaches nothing."""

from __future__ import annotations

import asyncio

import pytest

from course.identity.authorizer import CourseAuthorizer
from course.identity.scopes import may_reach
from course.identity.users import PARTICIPANT, CourseUser, instructor_user, learner_user


@pytest.mark.parametrize("role", ["", PARTICIPANT, "visitor"])
def test_a_role_without_routes_reaches_no_route(role: str) -> None:
    for path in ("lab", "api/contents/notebooks", "api/kernels", "course/api/live/sessions"):
        assert not may_reach(role, path, "GET", "someone")


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
