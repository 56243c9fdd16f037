"""Kit errors raised under a handler reach the client as JSON 4xx replies, never as 500s.

The course's files can change under a running server (an instructor deletes or renames
a notebook): the refusal must say what is missing, and keep what was stored.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from course.testing import CourseServer
from tests.sample import copy_sample_course


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    """A server of its own: these tests delete files of its course."""
    server = CourseServer(copy_sample_course(tmp_path_factory.mktemp("errors") / "course"))
    server.start()
    yield server
    server.stop()


def test_group_template_deleted_after_start_is_a_json_409_and_keeps_the_groups(
    own_server: CourseServer,
) -> None:
    with own_server.instructor() as instructor:
        session = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
        groups_url = f"/course/api/live/sessions/{session['id']}/groups"
        for name in ("Ada", "Bo", "Cy", "Di"):
            with own_server.anonymous() as phone:
                joined = phone.post(
                    "/course/api/live/join", json={"code": session["join_code"], "name": name}
                )
                assert joined.status_code == 201, joined.text
        formed = instructor.post(groups_url, json={"size": 2})
        assert formed.status_code == 200, formed.text
        (own_server.course / "notebooks/live/m1-groups.ipynb").unlink()

        refused = instructor.post(groups_url, json={"count": 1})

        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/json")
        body = refused.json()
        assert body["reason"] == "conflict"
        assert "m1-groups.ipynb does not exist" in body["message"]
        assert instructor.get(groups_url).json() == formed.json()
