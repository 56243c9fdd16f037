"""The example JupyterHub deployment (deploy/jupyterhub/) on a real hub on loopback.

One hub for the module (``course_hub``: the deployment's own jupyterhub_config.py,
with this machine's ports, a shared password and local processes); learners alice
and bob, instructor ada (course.yml). Each test logs its people in afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from course.hub import SERVICE
from course.plan import load_course
from course.record.roster import Learner, Roster, save_roster
from course.testing.hub import Hub, HubUser

pytestmark = pytest.mark.slow

WORKSHOP = f"/services/{SERVICE}/"


@pytest.fixture
def people(course_hub: Hub) -> Iterator[dict[str, HubUser]]:
    users = {name: course_hub.user(name).login() for name in ("alice", "ada")}
    yield users
    for user in users.values():
        user.close()


def course_of(hub: Hub) -> Path:
    return Path(hub.environment["COURSE_ROOT"])


def test_learner_server_carries_the_course_extension(
    course_hub: Hub, people: dict[str, HubUser]
) -> None:
    alice = people["alice"]
    alice.start_server()
    alice.open("/user/alice/")
    modules = alice.get("/user/alice/course/api/live/modules")
    assert modules.status_code == 200
    assert [m["id"] for m in modules.json()] == [
        m.id for m in load_course(course_of(course_hub)).modules
    ]
    copy = course_hub.homes() / "alice" / "pydata"
    assert (copy / "course.yml").is_file() and (copy / "notebooks").is_dir()
    me = alice.get("/user/alice/api/me").json()
    assert me["identity"]["username"] == "alice"
    # Her server is the course server of her copy (jupyterhub-singleuser's root comes
    # from $JUPYTERHUB_ROOT_DIR, after the course extension took the course's settings).
    applied = alice.get("/user/alice/course/api/server/settings").json()
    assert applied["ServerApp.root_dir"] == str(copy)
    assert applied["SQLiteYStore.db_path"] == str(load_course(copy).data_path / "jupyter_ystore.db")


def test_assignment_goes_out_and_comes_back_through_the_exchange(
    course_hub: Hub, people: dict[str, HubUser]
) -> None:
    alice, ada = people["alice"], people["ada"]
    ada.open(WORKSHOP)
    for step in ("assign", "release"):
        done = ada.post(f"{WORKSHOP}formgrader/api/assignment/ps1/{step}")
        assert done.status_code == 200 and done.json()["success"], done.text

    alice.start_server()
    alice.open("/user/alice/")
    form = {"course_id": "pydata", "assignment_id": "ps1"}
    fetched = alice.post("/user/alice/assignments/fetch", data=form)
    assert fetched.status_code == 200, fetched.text
    assert (course_hub.homes() / "alice" / "pydata" / "ps1" / "ps1.ipynb").is_file()
    submitted = alice.post("/user/alice/assignments/submit", data=form)
    assert submitted.status_code == 200 and submitted.json()["success"], submitted.text
    states = {(a["status"], a.get("student_id")) for a in submitted.json()["value"]}
    assert ("submitted", "alice") in states

    collected = ada.post(f"{WORKSHOP}formgrader/api/assignment/ps1/collect")
    assert collected.status_code == 200 and collected.json()["success"], collected.text
    submission = course_of(course_hub) / "var" / "submitted" / "alice" / "ps1" / "ps1.ipynb"
    assert submission.is_file()


def sign_in_to_workshop(user: HubUser) -> None:
    """Visit the workshop's JupyterLab page: hub OAuth runs (whatever the page then says)."""
    page = user.get(WORKSHOP)
    assert page.url.path.startswith(WORKSHOP), page.url
    assert user.get(f"{WORKSHOP}api/me").json()["identity"]["username"] == user.name


def test_learner_reaches_the_workshop_through_hub_oauth(people: dict[str, HubUser]) -> None:
    sign_in_to_workshop(people["alice"])


def test_anonymous_requests_to_the_workshop_are_refused(course_hub: Hub) -> None:
    stranger = course_hub.user("nobody")
    for path in ("course/api/live/modules", "api/contents", "formgrader/api/assignments"):
        response = stranger.get(WORKSHOP + path, follow_redirects=False)
        assert response.status_code in (302, 403), path
        assert response.status_code == 403 or "/hub/" in response.headers["location"]
    stranger.close()


def test_someone_outside_the_course_cannot_log_in(course_hub: Hub) -> None:
    with pytest.raises(RuntimeError, match="could not log in"):
        course_hub.user("carol").login()


def test_the_lti13_example_describes_the_tool_to_an_lms(course_root: Path, tmp_path: Path) -> None:
    """The LTI 1.3 configuration starts a hub that hands an LMS its tool description."""
    from course.testing.courses import copy_course
    from course.testing.net import free_port

    copy = copy_course(course_root, tmp_path / "course")
    hub = Hub(
        tmp_path / "hub",
        (course_root / "deploy" / "jupyterhub" / "lti13_config.py").resolve(),
        environment={
            "COURSE_ROOT": str(copy),
            "COURSE_EXCHANGE": str(tmp_path / "exchange"),
            "COURSE_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
            "LTI_CLIENT_ID": "125900000000000001",
        },
        own_login=True,
    )
    hub.start()
    try:
        described = httpx.get(f"{hub.url}/hub/lti13/config", timeout=30)
        login = httpx.get(f"{hub.url}/hub/login", timeout=30)
    finally:
        hub.stop()
    assert described.status_code == 200, described.text
    tool = described.json()
    assert tool["title"] == load_course(copy).title
    assert tool["oidc_initiation_url"].endswith("/hub/lti13/oauth_login")
    assert "LTI 1.3" in login.text  # the login page offers the LMS, not a password form


INSTRUCTOR_ROUTES = [
    ("GET", "course/api/live/modules"),
    ("GET", "course/api/server/settings"),
    ("POST", "course/api/live/sessions"),
    ("GET", "course/live/"),
    ("GET", "api/contents"),
    ("POST", "api/kernels"),
    # nbgrader's formgrader only asks for a login; course.live.formgrader_guard adds the
    # Authorizer's say, or any hub learner would read every grade here.
    ("GET", "formgrader/api/assignments"),
    ("GET", "formgrader/api/students"),
    ("GET", "formgrader/gradebook"),
    ("POST", "formgrader/api/assignment/ps1/release"),
]


def test_a_learner_gets_403_on_the_workshops_instructor_routes(
    course_hub: Hub, people: dict[str, HubUser]
) -> None:
    alice, ada = people["alice"], people["ada"]
    sign_in_to_workshop(alice)
    sign_in_to_workshop(ada)
    for method, route in INSTRUCTOR_ROUTES:
        headers = {"X-XSRFToken": alice.xsrf(WORKSHOP)}
        refused = alice.client.request(method, WORKSHOP + route, headers=headers, json={})
        assert refused.status_code == 403, (method, route, refused.status_code)
    started = ada.post(f"{WORKSHOP}course/api/live/sessions", json={"module": "m1"})
    assert started.status_code == 201, started.text
    applied = ada.get(f"{WORKSHOP}course/api/server/settings").json()
    ystore = load_course(course_of(course_hub)).data_path / "jupyter_ystore.db"
    assert applied["SQLiteYStore.db_path"] == str(ystore)


def test_a_hub_learner_joins_the_workshop_session_as_their_roster_id(
    course_hub: Hub, people: dict[str, HubUser]
) -> None:
    """Signed in to the hub, a learner joins a live session without a code of their own:
    the workshop maps their hub name to the roster (here s0042), and readiness counts them."""
    alice, ada = people["alice"], people["ada"]
    course = load_course(course_of(course_hub))
    roster = save_roster(course, Roster([Learner("s0042", "Alice", "Liddell", hub_user="alice")]))
    try:
        sign_in_to_workshop(alice)
        sign_in_to_workshop(ada)
        started = ada.post(f"{WORKSHOP}course/api/live/sessions", json={"module": "m2"})
        assert started.status_code == 201, started.text
        session = started.json()
        joined = alice.post(
            f"{WORKSHOP}course/api/live/join", json={"code": session["join_code"], "name": "A"}
        )
        assert joined.status_code == 201, joined.text
        stranger = course_hub.user("nobody").client
        assert (
            stranger.post(
                f"{WORKSHOP}course/api/live/join", json={"code": session["join_code"], "name": "N"}
            ).status_code
            == 201
        )  # a code alone still lets anyone in, as a guest
        readiness = ada.get(f"{WORKSHOP}course/api/live/sessions/{session['id']}/readiness")
        assert readiness.status_code == 200, readiness.text
        assert readiness.json()["participants"]["total"] == 2
        assert readiness.json()["participants"]["known"] == 1  # alice, as s0042
        assert readiness.json()["learners"]["total"] == 1  # the roster is the class
    finally:
        roster.unlink()
