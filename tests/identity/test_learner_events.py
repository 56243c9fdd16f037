"""Two learners on one real course server, each in a confined kernel of their own: each runs
lesson 1 from their workspace, sees only their own ``progress()``, and posts events as
themselves only; events queued while the server was away, under a credential revoked and
renewed meanwhile, arrive exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from course.identity import course_credentials
from course.record.events import read_events
from course.testing.classroom import KernelSocket, SignedIn
from tests.identity.conftest import Class

pytestmark = pytest.mark.slow
LESSON = "notebooks/01-foundations.ipynb"


def lesson_kernel(classroom: Class, learner: SignedIn, learner_id: str) -> Iterator[KernelSocket]:
    """A session on the learner's own copy of lesson 1, its kernel's websocket open."""
    reply = learner.client.post(
        "/api/sessions",
        json={
            "path": f"var/workspaces/{learner_id}/{LESSON}",
            "type": "notebook",
            "name": "01-foundations.ipynb",
            "kernel": {"name": "python3"},
        },
    )
    assert reply.status_code == 201, reply.text
    with KernelSocket(classroom.server, learner.client, reply.json()["kernel"]["id"]) as kernel:
        yield kernel


@pytest.fixture(scope="module")
def ada(classroom: Class) -> SignedIn:
    return classroom.server.learner(classroom.codes["ada"])


@pytest.fixture(scope="module")
def grace(classroom: Class) -> SignedIn:
    return classroom.server.learner(classroom.codes["grace"])


@pytest.fixture(scope="module")
def ada_kernel(classroom: Class, ada: SignedIn) -> Iterator[KernelSocket]:
    yield from lesson_kernel(classroom, ada, "ada")


@pytest.fixture(scope="module")
def grace_kernel(classroom: Class, grace: SignedIn) -> Iterator[KernelSocket]:
    yield from lesson_kernel(classroom, grace, "grace")


def run(kernel: KernelSocket, code: str) -> str:
    outcome = kernel.run(code)
    assert outcome.error is None, outcome
    return outcome.stdout


def stored(classroom: Class) -> dict[str, str]:
    """Event id → learner, as the course server stored them."""
    return {event.id: event.learner for event in read_events(classroom.course)}


def test_a_learner_runs_lesson_one_from_their_own_workspace(
    classroom: Class, ada: SignedIn, ada_kernel: KernelSocket
) -> None:
    opened = ada.client.get(f"/api/contents/var/workspaces/ada/{LESSON}")
    assert opened.status_code == 200
    cells = [c["source"] for c in opened.json()["content"]["cells"] if c["cell_type"] == "code"]
    outcomes = [ada_kernel.run(source) for source in cells]
    assert [o.error for o in outcomes] == [None] * len(cells)
    report = run(ada_kernel, "print(progress().text())")
    assert "Your progress in Data Analysis with Python (ada)" in report
    assert "m1 Python foundations: done — exercises 0 passed of 6 tried" in report
    assert "wait to be sent" not in report  # every event reached the server
    mine = [learner for learner in stored(classroom).values() if learner == "ada"]
    assert len(mine) >= 7  # six checks and the module completed


def test_two_learners_see_only_their_own_progress(
    ada_kernel: KernelSocket, grace_kernel: KernelSocket
) -> None:
    run(grace_kernel, "from course.learn import complete, progress\ncomplete('m2')")
    run(ada_kernel, "from course.learn import progress")
    hers = run(grace_kernel, "print(progress().text())")
    his = run(ada_kernel, "print(progress().text())")
    assert "(grace)" in hers and "m2 Tabular data with pandas: done" in hers
    assert "m1 Python foundations: not started" in hers
    assert "(ada)" in his and "m1 Python foundations: done" in his
    assert "m2 Tabular data with pandas: not started" in his


def test_a_learners_kernel_cannot_post_events_as_another_learner(
    classroom: Class, ada_kernel: KernelSocket, grace: SignedIn
) -> None:
    code = (
        "import os\n"
        "from course.learn import complete\n"
        "from course.learn.events import event_log\n"
        "os.environ['COURSE_LEARNER'] = 'grace'  # the statement's actor is grace now\n"
        "complete('m3')\n"
        "os.environ['COURSE_LEARNER'] = 'ada'\n"
        "print(event_log().read(verb='completed')[-1]['id'], event_log().pending())\n"
    )
    event_id, pending = run(ada_kernel, code).split()
    assert pending == "0" and stored(classroom)[event_id] == "ada"
    theirs = classroom.course.data_path / "workspaces/grace/.course/credential"
    assert theirs.is_file()
    stolen = ada_kernel.run(f"open({str(theirs)!r}).read()")
    assert stolen.error == "PermissionError"
    forged = ada_kernel.run(
        "from course.learn.events import _send\n"
        "import base64, json, os\n"
        "prefix, payload, signature = os.environ['COURSE_EVENTS_TOKEN'].split('.')\n"
        "claims = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))\n"
        "claims['sub'] = 'grace'\n"
        "payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()\n"
        "header = {'Authorization': f'Bearer {prefix}.{payload}.{signature}'}\n"
        "print(_send(os.environ['COURSE_EVENTS_URL'], b'[]', header, 10))\n"
    )
    assert forged.stdout.strip() == "403", forged


def test_events_queued_offline_under_a_since_renewed_credential_arrive_once(
    classroom: Class, ada_kernel: KernelSocket
) -> None:
    url = run(ada_kernel, "import os; print(os.environ['COURSE_EVENTS_URL'])").strip()
    socket = Path(unquote(urlsplit(url).netloc))
    away = socket.with_name(socket.name + ".away")
    socket.rename(away)  # the server is out of reach: events stay in the kernel's queue
    try:
        queued = json.loads(
            run(
                ada_kernel,
                "import json\n"
                "from course.learn import complete\n"
                "from course.learn.events import event_log\n"
                "ids = []\n"
                "for module in ('m2', 'm3'):\n"
                "    complete(module)\n"
                "    ids.append(event_log().read()[-1]['id'])\n"
                "print(json.dumps([ids, event_log().pending()]))\n",
            )
        )
    finally:
        away.rename(socket)
    ids, pending = queued
    assert pending == 2 and not set(ids) & set(stored(classroom))

    course_credentials(classroom.course).revoke("ada")  # the kernel's credential is old now
    flush = (
        "from course.learn.events import event_log\n"
        "print(event_log().flush(), event_log().pending())"
    )
    assert run(ada_kernel, flush).split() == ["0", "2"]  # refused: still queued, none lost

    classroom.server.learner(classroom.codes["ada"])  # signing in writes a fresh credential
    assert run(ada_kernel, flush).split() == ["2", "0"]
    assert run(ada_kernel, flush).split() == ["0", "0"]
    events = read_events(classroom.course)
    assert sorted(e.id for e in events if e.id in ids) == sorted(ids)  # each exactly once
    assert {e.learner for e in events if e.id in ids} == {"ada"}
