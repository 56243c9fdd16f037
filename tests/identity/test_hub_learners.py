"""Behind a real JupyterHub: the hub user, through hub OAuth, becomes their roster id;
a hub user who is not enrolled is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from course.plan import load_course
from course.record.roster import Learner, Roster, save_roster
from course.testing.hub import SERVICE, Hub, identity_of
from tests.sample import copy_sample_course

pytestmark = pytest.mark.slow
HUB_USERS = ["ada", "ghopper", "mallory"]  # ada is the plan's instructor


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("hub")
    course = load_course(copy_sample_course(folder / "course"))
    save_roster(course, Roster([Learner("s0001", "Grace", "Hopper", hub_user="ghopper")]))
    hub = Hub(course, HUB_USERS, folder / "run")
    hub.start()
    yield hub
    hub.stop()


def test_a_hub_learner_is_their_roster_id_with_a_learners_rights(hub: Hub) -> None:
    grace = hub.client("ghopper")
    me = identity_of(grace)
    assert (me["username"], me["role"], me["name"]) == ("s0001", "learner", "Grace Hopper")
    service = f"/services/{SERVICE}"
    own = grace.get(f"{service}/api/contents/var/workspaces/s0001/notebooks/01-foundations.ipynb")
    assert own.status_code == 200
    for path in (
        "/api/terminals",
        "/api/contents/exercises/ps1/ps1.ipynb",
        "/course/api/live/sessions",
    ):
        assert grace.get(service + path).status_code == 403, path


def test_the_instructor_on_the_hub_is_the_instructor(hub: Hub) -> None:
    ada = hub.client("ada")
    assert identity_of(ada)["role"] == "instructor"
    assert ada.get(f"/services/{SERVICE}/api/terminals").status_code == 200


def test_a_hub_user_not_on_the_roster_is_refused(hub: Hub) -> None:
    mallory = hub.client("mallory")
    reply = mallory.get(f"/services/{SERVICE}/api/me")
    assert reply.status_code == 403 and "not on the course roster" in reply.text
