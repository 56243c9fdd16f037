"""A signed-in learner on a real course server, attacking: everything that is not their
own answers 403, their kernel is confined, and the course's sources stay untouched."""

from __future__ import annotations

import json
from urllib.parse import unquote

import httpx
import pytest
from websockets.sync.client import connect

from course.testing.classroom import execute
from tests.identity.conftest import Class, digests

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ada(classroom: Class):
    return classroom.server.learner(classroom.codes["ada"])


@pytest.fixture(scope="module")
def grace(classroom: Class):
    return classroom.server.learner(classroom.codes["grace"])


@pytest.fixture(scope="module")
def ada_kernel(classroom: Class, ada) -> dict:
    """A session (and its confined kernel) for ada's own copy of lesson 1."""
    reply = ada.client.post(
        "/api/sessions",
        json={
            "path": "var/workspaces/ada/notebooks/01-foundations.ipynb",
            "type": "notebook",
            "name": "01-foundations.ipynb",
            "kernel": {"name": "python3"},
        },
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_a_wrong_code_is_refused_and_a_right_one_opens_the_learners_lab(classroom: Class) -> None:
    anonymous = httpx.Client(base_url=classroom.server.url, timeout=30)
    form = anonymous.get("/course/signin")
    assert form.status_code == 200 and 'name="code"' in form.text
    wrong = anonymous.post(
        "/course/signin", data={"code": "AAAAA-AAAAA", "_xsrf": anonymous.cookies["_xsrf"]}
    )
    assert wrong.status_code == 403 and "not valid" in wrong.text
    signed_in = classroom.server.learner(classroom.codes["ada"].lower().replace("-", ""))
    assert unquote(signed_in.landing) == (
        "/lab/workspaces/ada/tree/var/workspaces/ada/notebooks/01-foundations.ipynb"
    )
    me = signed_in.client.get("/api/me").json()["identity"]
    assert (me["username"], me["name"], me["role"]) == ("ada", "Ada Lovelace", "learner")


def test_the_learners_lab_opens_in_their_workspace_without_terminals(ada) -> None:
    page = ada.client.get(ada.landing)
    assert page.status_code == 200
    config = json.loads(
        page.text.split('id="jupyter-config-data" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert config["preferredPath"] == "/var/workspaces/ada"
    assert config["terminalsAvailable"] is False and config["serverRoot"] == ""
    assert config["token"] == ""  # JupyterLab writes the server's token into every page


REFUSED = [
    ("GET", "/api/terminals"),
    ("POST", "/api/terminals"),
    ("GET", "/terminals/websocket/1"),
    ("GET", "/formgrader"),
    ("GET", "/formgrader/api/assignments"),
    ("GET", "/course/api/live/sessions"),
    ("POST", "/course/api/live/sessions"),
    ("GET", "/course/live/"),
    ("GET", "/course/api/live/modules"),
    ("PATCH", "/course/api/live/sessions/1"),
    ("GET", "/course/api/live/sessions/1/readiness"),
    ("GET", "/course/api/live/sessions/1/export.csv"),
    ("POST", "/course/api/live/sessions/1/polls/1/open"),
    ("GET", "/course/live/sessions/1/present"),
    ("GET", "/course/live/sessions/1/control"),
    ("GET", "/api/contents/course.yml"),
    ("GET", "/files/course.yml"),
    ("GET", "/api/contents/var/secrets/course.key"),
    ("GET", "/api/contents/var/live.sqlite"),
    ("GET", "/api/contents"),
    ("GET", "/api/contents/notebooks/01-foundations.ipynb"),
    ("PUT", "/api/contents/notebooks/01-foundations.ipynb"),
    ("GET", "/api/contents/exercises/ps1/ps1.ipynb"),
    ("GET", "/files/exercises/ps1/ps1.ipynb"),
    ("GET", "/api/contents/var/gradebook.db"),
    ("GET", "/api/contents/var/roster.json"),
    ("GET", "/api/contents/var/workspaces/grace/notebooks/01-foundations.ipynb"),
    ("GET", "/api/contents/var/workspaces/grace"),
    ("GET", "/nbconvert/html/exercises/ps1/ps1.ipynb"),
    ("PUT", "/api/collaboration/session/notebooks/01-foundations.ipynb"),
    ("GET", "/api/events/subscribe"),
    ("POST", "/api/shutdown"),
    ("PUT", "/lab/api/settings/@jupyterlab/apputils-extension:themes"),
    ("GET", "/lab/api/workspaces/grace"),
    ("GET", "/tree"),
    ("GET", "/voila/render/notebooks/01-foundations.ipynb"),
    ("DELETE", "/api/contents/var/workspaces/ada"),
    ("PATCH", "/api/contents/var/workspaces/ada"),
]


@pytest.mark.parametrize(("method", "path"), REFUSED)
def test_a_learner_is_refused_what_is_not_theirs(ada, grace, method: str, path: str) -> None:
    body = {} if method in ("PUT", "POST", "PATCH") else None
    if path.startswith("/api/contents") and method == "PUT":
        body = {"type": "file", "format": "text", "content": "overwritten"}
    reply = ada.client.request(method, path, json=body)
    assert reply.status_code == 403, (reply.status_code, reply.text[:200])


@pytest.mark.parametrize(
    "path",
    [
        "/api/terminals",
        "/formgrader",
        "/course/api/live/sessions",
        "/api/contents/exercises/ps1/ps1.ipynb",
        "/api/contents/var/workspaces/grace",
    ],
)
def test_the_instructor_reaches_what_learners_are_refused(classroom: Class, grace, path) -> None:
    with classroom.server.instructor() as boss:
        assert boss.get(path, follow_redirects=True).status_code == 200


def test_a_link_the_learners_kernel_planted_leads_nowhere(
    classroom: Class, ada, ada_kernel
) -> None:
    target = classroom.course.root / "exercises/ps1/ps1.ipynb"
    code = f"import os; os.symlink({str(target)!r}, '/'.join([os.getcwd(), '..', 'leak.ipynb']))"
    assert execute(classroom.server, ada.client, ada_kernel["kernel"]["id"], code).error is None
    assert (classroom.course.root / "var/workspaces/ada/leak.ipynb").is_symlink()
    assert ada.client.get("/api/contents/var/workspaces/ada/leak.ipynb").status_code == 403
    assert ada.client.get("/files/var/workspaces/ada/leak.ipynb").status_code == 403


def test_a_folder_link_in_the_workspace_stops_sign_in_and_kernels_not_the_server(
    classroom: Class, ada, ada_kernel
) -> None:
    sources = classroom.course.root / "notebooks"
    swap = (
        "import os\n"
        "home = os.path.dirname(os.getcwd())\n"
        "os.rename(os.getcwd(), os.path.join(home, 'mine'))\n"
        f"os.symlink({str(sources)!r}, os.path.join(home, 'notebooks'))\n"
    )
    assert execute(classroom.server, ada.client, ada_kernel["kernel"]["id"], swap).error is None
    before = digests(classroom.course.root, "notebooks")
    try:
        with pytest.raises(AssertionError, match="sign-in answered 409"):
            classroom.server.learner(classroom.codes["ada"])
        started = ada.client.post("/api/kernels", json={"name": "python3"})
        assert started.status_code == 409 and "link" in started.text
        assert digests(classroom.course.root, "notebooks") == before
    finally:
        workspace = classroom.course.data_path / "workspaces/ada"
        (workspace / "notebooks").unlink()
        (workspace / "mine").rename(workspace / "notebooks")


def test_the_learners_credential_file_is_not_served(ada) -> None:
    assert ada.client.get("/api/contents/var/workspaces/ada/.course/credential").status_code == 404


def test_renaming_or_copying_out_of_the_workspace_is_refused(ada) -> None:
    own = "var/workspaces/ada/notebooks/01-foundations.ipynb"
    rename = ada.client.patch(f"/api/contents/{own}", json={"path": "notebooks/stolen.ipynb"})
    copy = ada.client.post(
        "/api/contents/var/workspaces/ada", json={"copy_from": "exercises/ps1/ps1.ipynb"}
    )
    assert (rename.status_code, copy.status_code) == (403, 403)


def test_the_learner_reads_and_writes_their_own_files(ada) -> None:
    lesson = ada.client.get("/api/contents/var/workspaces/ada/notebooks/01-foundations.ipynb")
    assert lesson.status_code == 200 and lesson.json()["type"] == "notebook"
    made = ada.client.put(
        "/api/contents/var/workspaces/ada/notes.txt",
        json={"type": "file", "format": "text", "content": "mine"},
    )
    assert made.status_code == 201


def test_a_learner_never_sees_or_touches_another_learners_kernel(ada, grace, ada_kernel) -> None:
    kernel_id = ada_kernel["kernel"]["id"]
    assert [k["id"] for k in ada.client.get("/api/kernels").json()] == [kernel_id]
    assert grace.client.get("/api/kernels").json() == []
    assert grace.client.get("/api/sessions").json() == []
    assert grace.client.get(f"/api/kernels/{kernel_id}").status_code == 403
    assert grace.client.post(f"/api/kernels/{kernel_id}/interrupt").status_code == 403
    assert grace.client.delete(f"/api/kernels/{kernel_id}").status_code == 403
    assert grace.client.get(f"/api/sessions/{ada_kernel['id']}").status_code == 403
    taken = grace.client.post(
        "/api/sessions",
        json={
            "path": "var/workspaces/grace/x.ipynb",
            "type": "notebook",
            "kernel": {"id": kernel_id},
        },
    )
    assert taken.status_code == 403


def test_the_presenters_websocket_is_refused(classroom: Class, ada) -> None:
    from websockets.exceptions import InvalidStatus

    with classroom.server.instructor() as boss:
        session = boss.post("/course/api/live/sessions", json={"module": "m1"}).json()
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in ada.client.cookies.items())}
    url = f"ws://127.0.0.1:{classroom.server.port}/course/api/live/sessions/{session['id']}/ws"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers=headers, open_timeout=30).close()
    assert refused.value.response.status_code == 403


def test_another_learners_kernel_websocket_is_refused(classroom: Class, grace, ada_kernel) -> None:
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus) as refused:
        execute(classroom.server, grace.client, ada_kernel["kernel"]["id"], "1")
    assert refused.value.response.status_code == 403


def test_a_session_outside_the_workspace_is_refused(grace) -> None:
    reply = grace.client.post(
        "/api/sessions",
        json={
            "path": "notebooks/01-foundations.ipynb",
            "type": "notebook",
            "kernel": {"name": "python3"},
        },
    )
    assert reply.status_code == 403


def test_the_learners_kernel_runs_in_their_workspace_and_is_confined(
    classroom: Class, ada, ada_kernel
) -> None:
    kernel_id = ada_kernel["kernel"]["id"]
    root = classroom.course.root
    where = execute(
        classroom.server,
        ada.client,
        kernel_id,
        "import os; print(os.getcwd(), os.environ['COURSE_LEARNER'])",
    )
    assert where.stdout.split() == [str(root / "var/workspaces/ada/notebooks"), "ada"]
    for secret in (
        "var/gradebook.db",
        "exercises/ps1/ps1.ipynb",
        "var/workspaces/grace/notebooks/01-foundations.ipynb",
        "var/roster.json",
        "var/secrets/course.key",
        "var/live.sqlite",
    ):
        (secret_path := root / secret).parent.mkdir(parents=True, exist_ok=True)
        if not secret_path.exists():
            secret_path.write_text("secret")
        reply = execute(
            classroom.server, ada.client, kernel_id, f"open({str(secret_path)!r}).read()"
        )
        assert reply.error == "PermissionError", (secret, reply)
    port = classroom.server.port
    for attempt, refused in (
        (f"socket.create_connection(('127.0.0.1', {port}), timeout=5)", "PermissionError"),
        ("socket.create_connection(('192.0.2.1', 80), timeout=5)", "PermissionError"),
        ("socket.socket().bind(('127.0.0.1', 0))", "PermissionError"),  # no listening either
        (f"socket.socket(type=socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {port}))", "OSError"),
    ):
        outcome = execute(classroom.server, ada.client, kernel_id, f"import socket\n{attempt}")
        assert outcome.error == refused, (attempt, outcome)


def test_the_course_sources_are_byte_identical_after_the_learners_work(
    classroom: Class, ada, ada_kernel
) -> None:
    before = digests(classroom.course.root, "notebooks", "exercises")
    code = (
        "import glob\n"
        "for path in glob.glob('/**/*.ipynb', recursive=True):\n"
        "    try:\n"
        "        open(path, 'a').write('x')\n"
        "    except OSError:\n"
        "        pass\n"
    )
    execute(classroom.server, ada.client, ada_kernel["kernel"]["id"], code)
    ada.client.put(
        "/api/contents/var/workspaces/ada/notebooks/01-foundations.ipynb",
        json={"type": "file", "format": "text", "content": "learner's own edit"},
    )
    assert digests(classroom.course.root, "notebooks", "exercises") == before


def test_the_kernels_only_door_to_the_server_is_the_events_route(
    classroom: Class, ada, ada_kernel
) -> None:
    code = (
        "import os\n"
        "from course.learn.events import _send\n"
        "url = os.environ['COURSE_EVENTS_URL']\n"
        "print(url.startswith('http+unix://'))\n"
        "for path in ('/course/api/events', '/api/contents', '/course/api/live/sessions'):\n"
        "    try:\n"
        "        print(_send(url.replace('/course/api/events', path), b'[]', {}, 10))\n"
        "    except Exception as error:\n"
        "        print(getattr(error, 'code', error))\n"
    )
    reply = execute(classroom.server, ada.client, ada_kernel["kernel"]["id"], code)
    answers = reply.stdout.split()
    assert answers[0] == "True" and answers[2:] == ["404", "404"], reply
    assert answers[1] != "404"
