"""Behind a real JupyterHub: the hub user, through hub OAuth, becomes their roster id;
a hub user who is not enrolled is refused.

The course server runs as a hub-managed service (``jupyter server`` in the course
folder) with ``HubCourseIdentityProvider``; the hub itself is ``course.testing.hub``'s,
with a deployment file written here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.identity.config import HUB_PROVIDER
from course.plan import load_course
from course.record.roster import Learner, Roster, save_roster
from course.testing import free_port
from course.testing.hub import Hub, HubUser
from tests.sample import copy_sample_course

pytestmark = pytest.mark.slow
HUB_USERS = ["ada", "ghopper", "mallory"]  # ada is the plan's instructor
SERVICE = "course"
PREFIX = f"/services/{SERVICE}"


def deployment(course_root: Path, run: Path) -> Path:
    """A hub whose one service is the course server, reachable by every hub user."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--ServerApp.identity_provider_class={HUB_PROVIDER}",
        f"--ServerApp.base_url={PREFIX}/",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
    ]
    service: dict[str, Any] = {
        "name": SERVICE,
        "url": f"http://127.0.0.1:{port}",
        "command": command,
        "cwd": str(course_root),
        "oauth_no_confirm": True,
    }
    role = {
        "name": "course-access",
        "users": HUB_USERS,
        "scopes": [f"access:services!service={SERVICE}"],
    }
    path = run / "deployment.py"
    run.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.Authenticator.allowed_users = {set(HUB_USERS)!r}\n"
        f"c.JupyterHub.services = [{service!r}]\n"
        f"c.JupyterHub.load_roles = [{role!r}]\n"
    )
    return path


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("hub")
    course = load_course(copy_sample_course(folder / "course"))
    save_roster(course, Roster([Learner("s0001", "Grace", "Hopper", hub_user="ghopper")]))
    run = folder / "run"
    hub = Hub(run, deployment(course.root, run))
    hub.start()
    yield hub
    hub.stop()


def signed_in(hub: Hub, name: str) -> HubUser:
    """``name`` logged in to the hub, then through the service's OAuth."""
    user = hub.user(name).login()
    user.get(f"{PREFIX}/lab")  # a page: its login redirect is the OAuth
    return user


def identity_of(user: HubUser) -> dict[str, Any]:
    reply = user.get(f"{PREFIX}/api/me")
    reply.raise_for_status()
    identity: dict[str, Any] = reply.json()["identity"]
    return identity


def test_a_hub_learner_is_their_roster_id_with_a_learners_rights(hub: Hub) -> None:
    grace = signed_in(hub, "ghopper")
    me = identity_of(grace)
    assert (me["username"], me["role"], me["name"]) == ("s0001", "learner", "Grace Hopper")
    own = grace.get(f"{PREFIX}/api/contents/var/workspaces/s0001/notebooks/01-foundations.ipynb")
    assert own.status_code == 200
    for path in (
        "/api/terminals",
        "/api/contents/exercises/ps1/ps1.ipynb",
        "/course/api/live/sessions",
    ):
        assert grace.get(PREFIX + path).status_code == 403, path


def test_the_instructor_on_the_hub_is_the_instructor(hub: Hub) -> None:
    ada = signed_in(hub, "ada")
    assert identity_of(ada)["role"] == "instructor"
    assert ada.get(f"{PREFIX}/api/terminals").status_code == 200


def test_a_hub_user_not_on_the_roster_is_refused(hub: Hub) -> None:
    mallory = signed_in(hub, "mallory")
    reply = mallory.get(f"{PREFIX}/api/me")
    assert reply.status_code == 403 and "not on the course roster" in reply.text
