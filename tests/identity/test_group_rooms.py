"""Join-code participants in their group's notebook, on a real course server (``course
serve``'s settings: JupyterLab, jupyter-collaboration, the kit's identity classes,
terminals and the formgrader on), with real rooms and real confined group kernels.

Two groups of two join with the code and open their group notebook from the
participant page's link; then, from the participants' side: what they share, and
everything they are refused.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from course.live.handlers import instructor as instructor_handlers
from course.live.handlers import sockets as live_sockets
from course.live.routes import routes as live_routes
from course.plan import Course, load_course
from course.record.roster import Learner
from course.testing.classroom import ClassroomServer, Participant, execute, join
from course.testing.collab_client import CollabClient, wait_until
from tests.identity.conftest import enrol
from tests.sample import copy_sample_course

pytestmark = [pytest.mark.slow]

LIMITS = [
    "--CourseKernelManager.group_cpu_seconds=15",
    "--CourseKernelManager.group_processes=24",
]


@dataclass
class Workshop:
    server: ClassroomServer
    course: Course
    session: dict[str, Any]
    groups: dict[int, list[Participant]]  # group number -> its members
    notebooks: dict[int, str]  # group number -> notebook path


def start_session(server: ClassroomServer, names: list[str], count: int) -> Workshop:
    """A session of module m2 (its notebook reads ``../data``), ``names`` joined and
    split into ``count`` groups, each member through their group notebook's door."""
    with server.instructor() as boss:
        session = boss.post("/course/api/live/sessions", json={"module": "m2"}).json()
        people = [join(server, session["join_code"], name) for name in names]
        formed = boss.post(
            f"/course/api/live/sessions/{session['id']}/groups", json={"count": count}
        ).json()
    by_id = {p.id: p for p in people}
    groups = {g["number"]: [by_id[m["id"]] for m in g["members"]] for g in formed}
    for member in people:
        assert member.open_group_notebook().status_code == 200
    notebooks = {g["number"]: g["notebook"] for g in formed}
    return Workshop(server, load_course(server.course.root), session, groups, notebooks)


codes: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassroomServer]:
    course = load_course(copy_sample_course(tmp_path_factory.mktemp("rooms") / "course"))
    (course.data_path).mkdir(parents=True, exist_ok=True)
    (course.data_path / "gradebook.db").write_text("the gradebook: learners' scores")
    codes.update(enrol(course, Learner("lin", "Lin", "Chen")))
    process = ClassroomServer(course, extra=LIMITS)
    process.start(timeout=120)
    yield process
    process.interrupt()


@pytest.fixture(scope="module")
def workshop(server: ClassroomServer) -> Workshop:
    return start_session(server, ["Ada", "Grace", "Edsger", "Barbara"], count=2)


def group_session(member: Participant, notebook: str) -> dict[str, Any]:
    """What JupyterLab does on opening the notebook: a session, hence the group's kernel."""
    reply = member.client.post(
        "/api/sessions",
        json={"path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
    )
    assert reply.status_code == 201, reply.text
    session: dict[str, Any] = reply.json()
    return session


def room_client(server: ClassroomServer, member: Participant, notebook: str) -> CollabClient:
    return CollabClient(server.url, "", notebook, member.name, headers=member.headers)


# sharing the group's notebook ---------------------------------------------------------------


def test_the_door_opens_the_members_own_jupyterlab_on_the_group_notebook(workshop: Workshop):
    ada = workshop.groups[1][0]
    notebook = workshop.notebooks[1]
    assert ada.landing == f"/lab/workspaces/participant-{ada.id}/tree/{quote(notebook)}"
    page = ada.client.get(ada.landing)
    assert page.status_code == 200
    assert f'"preferredPath": "/{notebook.split("/notebooks/")[0]}"' in page.text
    assert workshop.server.token not in page.text  # JupyterLab puts it in every page
    me = ada.client.get("/api/me").json()["identity"]
    assert (me["username"], me["display_name"]) == (f"participant-{ada.id}", ada.name)


def test_two_members_co_edit_and_run_a_cell_in_their_groups_kernel(workshop: Workshop):
    first, second = workshop.groups[1]
    notebook = workshop.notebooks[1]
    kernel = group_session(first, notebook)["kernel"]["id"]
    assert group_session(second, notebook)["kernel"]["id"] == kernel  # one kernel per group

    async def scenario() -> None:
        mine, theirs = (room_client(workshop.server, m, notebook) for m in (first, second))
        await asyncio.gather(mine.connect(), theirs.connect())
        try:
            assert mine.room == theirs.room
            mine.append_cell("total = 21\n", "shared")
            await wait_until(lambda: "shared" in [c["id"] for c in theirs.cells()], what="cell")
            theirs.type_into("shared", "print(total * 2)\n")
            await wait_until(
                lambda: str(mine.source_of("shared")) == "total = 21\nprint(total * 2)\n",
                what="the second member's typing reaches the first",
            )
            source = str(mine.source_of("shared"))
            ran = execute(workshop.server, first.client, kernel, source)
            assert (ran.stdout, ran.error) == ("42\n", None)
            mine.set_outputs(
                "shared", [{"output_type": "stream", "name": "stdout", "text": ran.stdout}]
            )
            await wait_until(lambda: theirs.outputs_of("shared") != [], what="output shared")
            assert theirs.outputs_of("shared")[0]["text"] == "42\n"
            # the group's kernel is shared: the second member sees the first's variables
            again = execute(workshop.server, second.client, kernel, "print(total)")
            assert again.stdout == "21\n"
        finally:
            await asyncio.gather(mine.disconnect(), theirs.disconnect())

    asyncio.run(scenario())


def test_the_groups_kernel_reads_the_files_the_template_ships(workshop: Workshop):
    member = workshop.groups[2][0]
    kernel = group_session(member, workshop.notebooks[2])["kernel"]["id"]
    code = "import pandas as pd; print(len(pd.read_csv('../data/bike_counts.csv')) > 0)"
    assert execute(workshop.server, member.client, kernel, code).stdout == "True\n"


def test_the_instructor_opens_any_groups_room(workshop: Workshop):
    async def scenario() -> None:
        watcher = CollabClient(workshop.server.url, workshop.server.token, workshop.notebooks[2])
        await watcher.connect()
        assert watcher.cells()
        await watcher.disconnect()

    asyncio.run(scenario())


def test_members_download_their_groups_notebook(workshop: Workshop):
    member = workshop.groups[1][0]
    reply = member.client.get(f"/course/api/live/sessions/{member.session_id}/me/notebook")
    assert reply.status_code == 200
    assert "attachment" in reply.headers["Content-Disposition"]
    assert reply.json()["metadata"]["course"]["group"] == 1


# another group's notebook, room and kernel --------------------------------------------------


def test_another_groups_member_is_refused_its_notebook_room_and_kernel(workshop: Workshop):
    owner, outsider = workshop.groups[1][0], workshop.groups[2][0]
    notebook = workshop.notebooks[1]
    kernel = group_session(owner, notebook)["kernel"]["id"]
    file_id = owner.client.put(
        f"/api/collaboration/session/{quote(notebook)}", json={"format": "json", "type": "notebook"}
    ).json()["fileId"]
    c = outsider.client
    refused = {
        "session": c.put(
            f"/api/collaboration/session/{quote(notebook)}",
            json={"format": "json", "type": "notebook"},
        ),
        "contents": c.get(f"/api/contents/{quote(notebook)}"),
        "files": c.get(f"/files/{quote(notebook)}"),
        "folder": c.get(f"/api/contents/{quote(notebook.rsplit('/', 3)[0])}"),
        "kernel": c.get(f"/api/kernels/{kernel}"),
        "interrupt": c.post(f"/api/kernels/{kernel}/interrupt"),
        "restart": c.post(f"/api/kernels/{kernel}/restart"),
        "new session": c.post(
            "/api/sessions",
            json={"path": notebook, "type": "notebook", "kernel": {"name": "python3"}},
        ),
        "their kernel": c.post(
            "/api/sessions",
            json={"path": workshop.notebooks[2], "type": "notebook", "kernel": {"id": kernel}},
        ),
    }
    assert {k: r.status_code for k, r in refused.items()} == dict.fromkeys(refused, 403)
    assert kernel not in [k["id"] for k in c.get("/api/kernels").json()]
    for path in (
        f"/api/collaboration/room/json:notebook:{file_id}",
        f"/api/kernels/{kernel}/channels",
    ):
        with pytest.raises(InvalidStatus) as closed:
            connect(
                f"ws://127.0.0.1:{workshop.server.port}{path}",
                additional_headers=outsider.headers,
                open_timeout=30,
            ).close()
        assert closed.value.response.status_code == 403, path


# everything else ----------------------------------------------------------------------------


def instructor_routes(session_id: int) -> list[tuple[str, str]]:
    """(method, path) of every instructor route of ``course.live.routes``, filled in."""
    values = {"session_id": session_id, "poll_id": 1, "question_id": 1, "action": "open"}
    found = []
    for pattern, handler, _ in live_routes(None):  # type: ignore[arg-type]
        if handler.__module__ != instructor_handlers.__name__:
            continue
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), pattern)
        path = path.replace("/?", "/")
        for method in ("get", "post", "put", "patch", "delete"):
            if method in handler.__dict__:
                found.append((method.upper(), path))
    return found


ELSEWHERE = [
    ("GET", "/api/contents"),
    ("GET", "/api/contents/"),
    ("GET", "/api/contents/var"),
    ("GET", "/api/contents/var/live"),
    ("GET", "/api/terminals"),
    ("POST", "/api/terminals"),
    ("GET", "/files/course.yml"),
    ("GET", "/api/contents/course.yml"),
    ("GET", "/files/var/gradebook.db"),
    ("GET", "/api/contents/var/gradebook.db"),
    ("GET", "/formgrader"),
    ("GET", "/formgrader/api/assignments"),
    ("GET", "/api/contents/exercises/ps1/ps1.ipynb"),
    ("GET", "/files/notebooks/polls/m2.yml"),
    ("GET", "/api/contents/notebooks/live/m2-groups.ipynb"),
    ("PUT", "/api/collaboration/session/notebooks/01-foundations.ipynb"),
    ("GET", "/api/events/subscribe"),
    ("POST", "/api/shutdown"),
    ("GET", "/voila/render/notebooks/01-foundations.ipynb"),
    ("GET", "/nbconvert/html/exercises/ps1/ps1.ipynb"),
    ("PUT", "/lab/api/settings/@jupyterlab/apputils-extension:themes"),
    ("GET", "/lab/api/workspaces/default"),
    ("GET", "/tree"),
]


def test_a_member_is_refused_everything_but_their_group(workshop: Workshop):
    member = workshop.groups[2][1]
    sid = workshop.session["id"]
    asked = ELSEWHERE + instructor_routes(sid)
    assert len(instructor_routes(sid)) >= 18  # every instructor route of routes.py
    answers = {}
    for method, path in asked:
        body = {} if method in ("PUT", "POST", "PATCH") else None
        answers[(method, path)] = member.client.request(method, path, json=body).status_code
    assert {k: v for k, v in answers.items() if v != 403} == {}
    with pytest.raises(InvalidStatus) as closed:
        connect(
            f"ws://127.0.0.1:{workshop.server.port}/course/api/live/sessions/{sid}/ws",
            additional_headers=member.headers,
            open_timeout=30,
        ).close()
    assert closed.value.response.status_code == 403
    assert live_sockets.PresenterSocket  # the presenter's socket, refused above


def test_a_member_may_not_delete_or_move_the_groups_notebook(workshop: Workshop):
    member = workshop.groups[2][1]
    notebook = workshop.notebooks[2]
    assert member.client.delete(f"/api/contents/{quote(notebook)}").status_code == 403
    moved = member.client.patch(f"/api/contents/{quote(notebook)}", json={"path": "x.ipynb"})
    assert moved.status_code == 403
    assert (workshop.course.root / notebook).is_file()


def test_the_group_kernel_reads_no_gradebook_no_exercise_and_opens_no_socket(
    workshop: Workshop,
):
    member = workshop.groups[2][1]
    kernel = group_session(member, workshop.notebooks[2])["kernel"]["id"]
    root = workshop.course.root
    other_group = root / workshop.notebooks[1]
    attempts = {
        "gradebook": f"open({str(root / 'var/gradebook.db')!r}).read()",
        "exercise": f"open({str(root / 'exercises/ps1/ps1.ipynb')!r}).read()",
        "plan": f"open({str(root / 'course.yml')!r}).read()",
        "other group": f"open({str(other_group)!r}).read()",
        "tcp": f"import socket; socket.create_connection(('127.0.0.1', {workshop.server.port}), 3)",
        "outside": "import urllib.request; urllib.request.urlopen('http://1.1.1.1', timeout=3)",
    }
    errors = {
        what: execute(workshop.server, member.client, kernel, code).error
        for what, code in attempts.items()
    }
    assert errors["gradebook"] == errors["exercise"] == errors["plan"] == "PermissionError"
    assert errors["other group"] == "PermissionError"
    assert errors["tcp"] in ("PermissionError", "OSError", "ConnectionRefusedError")
    assert errors["outside"] in ("URLError", "PermissionError", "OSError")
    works = execute(
        workshop.server, member.client, kernel, "print(open('m2-groups.ipynb').read(1))"
    )
    assert works.stdout == "{\n"


# moving groups and ending the session -------------------------------------------------------


def test_a_member_moved_to_another_group_loses_the_old_room_at_once(server: ClassroomServer):
    shop = start_session(server, ["Ana", "Ben", "Cyd", "Dan"], count=2)
    old = shop.notebooks[1]
    members = shop.groups[1]

    async def scenario() -> None:
        rooms = [room_client(server, m, old) for m in members]
        await asyncio.gather(*(r.connect() for r in rooms))
        with server.instructor() as boss:
            formed = boss.post(
                f"/course/api/live/sessions/{shop.session['id']}/groups", json={"count": 4}
            ).json()
        number = {m["id"]: g["number"] for g in formed for m in g["members"]}
        moved = [(m, r) for m, r in zip(members, rooms, strict=True) if number[m.id] != 1]
        stayed = [(m, r) for m, r in zip(members, rooms, strict=True) if number[m.id] == 1]
        assert moved  # two members cannot both stay alone in group 1
        for member, room in moved:
            await wait_until(lambda r=room: not r.connected, timeout=10, what="old room closed")
            assert member.client.get(f"/api/contents/{quote(old)}").status_code == 403
            reopened = member.client.put(
                f"/api/collaboration/session/{quote(old)}",
                json={"format": "json", "type": "notebook"},
            )
            assert reopened.status_code == 403
        for member, room in stayed:
            assert room.connected
            assert member.client.get(f"/api/contents/{quote(old)}").status_code == 200
        await asyncio.gather(*(r.disconnect() for r in rooms))

    asyncio.run(scenario())


def test_an_ended_session_closes_the_rooms_and_keeps_the_download(server: ClassroomServer):
    shop = start_session(server, ["Eve", "Fay"], count=1)
    member = shop.groups[1][0]
    notebook = shop.notebooks[1]

    async def scenario() -> None:
        room = room_client(server, member, notebook)
        await room.connect()
        with server.instructor() as boss:
            ended = boss.patch(
                f"/course/api/live/sessions/{shop.session['id']}", json={"state": "ended"}
            )
            assert ended.status_code == 200
        await wait_until(lambda: not room.connected, timeout=10, what="room closed")
        await room.disconnect()

    asyncio.run(scenario())
    assert member.client.get(f"/api/contents/{quote(notebook)}").status_code == 403
    download = member.client.get(f"/course/api/live/sessions/{member.session_id}/me/notebook")
    assert download.status_code == 200 and download.json()["cells"]


def test_room_ids_are_unique_per_group(workshop: Workshop):
    ids = {
        workshop.groups[n][0]
        .client.put(
            f"/api/collaboration/session/{quote(workshop.notebooks[n])}",
            json={"format": "json", "type": "notebook"},
        )
        .json()["fileId"]
        for n in (1, 2)
    }
    assert len(ids) == 2


def test_a_signed_in_learner_keeps_their_workspace_and_gains_the_group(server: ClassroomServer):
    with server.instructor() as boss:
        session = boss.post("/course/api/live/sessions", json={"module": "m2"}).json()
    learner = server.learner(codes["lin"]).client
    joined = learner.post(
        "/course/api/live/join", json={"code": session["join_code"], "name": "Lin"}
    )
    assert joined.status_code == 201, joined.text
    other = join(server, session["join_code"], "Mo")
    with server.instructor() as boss:
        formed = boss.post(
            f"/course/api/live/sessions/{session['id']}/groups", json={"count": 1}
        ).json()
    notebook = formed[0]["notebook"]
    door = learner.get(f"/course/live/s/{session['id']}/notebook")
    assert door.status_code == 302
    me = learner.get("/api/me").json()["identity"]
    assert (me["username"], me["role"]) == ("lin", "learner")
    own = "var/workspaces/lin/notebooks/01-foundations.ipynb"
    assert learner.get(f"/api/contents/{own}").status_code == 200
    assert learner.get(f"/api/contents/{quote(notebook)}").status_code == 200
    assert other.open_group_notebook().status_code == 200
    kernel = group_session(other, notebook)["kernel"]["id"]
    assert kernel in [k["id"] for k in learner.get("/api/kernels").json()]
    assert learner.get("/api/contents/var/workspaces").status_code == 403
