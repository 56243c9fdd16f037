"""Every REST endpoint against a real server, as the instructor and as a participant."""

from __future__ import annotations

import csv
import io
import json

from tests.live.helpers import open_poll


def test_instructor_lists_modules_and_sessions(instructor, live_session) -> None:
    modules = instructor.get("/course/api/live/modules").json()
    assert [m["id"] for m in modules] == ["m1", "m2", "m3"]
    sessions = instructor.get("/course/api/live/sessions").json()
    assert live_session["id"] in [s["id"] for s in sessions]


def test_join_sets_an_httponly_strict_cookie_scoped_to_course_urls(live_server, live_session):
    with live_server.anonymous() as client:
        reply = client.post(
            "/course/api/live/join", json={"code": live_session["join_code"], "name": "Ada"}
        )
    assert reply.status_code == 201
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith(f"course-live-{live_session['id']}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/course/" in cookie
    assert "join_code" not in reply.json()["session"]


def test_a_participant_answers_asks_and_upvotes(instructor, live_session, join) -> None:
    sid = live_session["id"]
    ada, bo = join(live_session, "Ada"), join(live_session, "Bo")
    poll = open_poll(instructor, live_session, "m1-types")
    me = ada.get(f"/course/api/live/sessions/{sid}/me").json()
    assert me["poll"]["id"] == poll["id"] and "correct" not in me["poll"]
    assert me["answer"] is None
    path = f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}"
    assert ada.put(path, json={"value": 0}).json() == {"poll_id": poll["id"], "value": 0}
    assert ada.put(path, json={"value": 1}).status_code == 200
    assert bo.put(path, json={"value": 1}).status_code == 200
    results = instructor.get(f"/course/api/live/sessions/{sid}/polls/{poll['id']}").json()
    assert results["results"] == {"answers": 2, "counts": [0, 2, 0]}
    asked = ada.post(f"/course/api/live/sessions/{sid}/me/questions", json={"text": "Why?"})
    assert asked.status_code == 201
    qid = asked.json()["id"]
    for _ in range(2):
        bo.put(f"/course/api/live/sessions/{sid}/me/votes/{qid}")
    assert ada.get(f"/course/api/live/sessions/{sid}/me").json()["questions"][0]["votes"] == 1


def test_closed_poll_refuses_answers_and_reveal_shows_results(instructor, live_session, join):
    sid = live_session["id"]
    ada = join(live_session)
    poll = open_poll(instructor, live_session, "m1-types")
    ada.put(f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}", json={"value": 1})
    instructor.post(f"/course/api/live/sessions/{sid}/polls/{poll['id']}/close")
    late = ada.put(f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}", json={"value": 2})
    assert late.status_code == 409 and "closed" in late.json()["message"]
    instructor.post(f"/course/api/live/sessions/{sid}/polls/{poll['id']}/reveal")
    seen = ada.get(f"/course/api/live/sessions/{sid}/me").json()["poll"]
    assert seen["correct"] == [1] and seen["results"]["counts"] == [0, 1, 0]


def test_instructor_creates_a_poll_live_and_steps_through_polls(instructor, live_session):
    sid = live_session["id"]
    created = instructor.post(
        f"/course/api/live/sessions/{sid}/polls",
        json={"kind": "multiple", "question": "Pick", "options": ["x", "y", "z"]},
    )
    assert created.status_code == 201 and created.json()["position"] == 6
    keys = []
    while poll := instructor.post(f"/course/api/live/sessions/{sid}/next").json()["poll"]:
        keys.append(poll["key"])
    assert keys[:5] == ["m1-types", "m1-collections", "m1-slice", "m1-comprehension", "m1-muddiest"]
    assert len(keys) == 6
    polls = instructor.get(f"/course/api/live/sessions/{sid}").json()["polls"]
    assert {p["state"] for p in polls} == {"closed"}


def test_moderating_questions_and_forming_groups(instructor, live_session, join) -> None:
    sid = live_session["id"]
    people = [join(live_session, f"p{i}") for i in range(5)]
    question = people[0].post(f"/course/api/live/sessions/{sid}/me/questions", json={"text": "q"})
    qid = question.json()["id"]
    moderated = instructor.patch(
        f"/course/api/live/sessions/{sid}/questions/{qid}", json={"answered": True}
    )
    assert moderated.json()["answered"] is True
    groups = instructor.post(f"/course/api/live/sessions/{sid}/groups", json={"size": 2}).json()
    # five by twos: one group of three rather than a group of one
    assert sorted(len(g["members"]) for g in groups) == [2, 3]
    mine = people[0].get(f"/course/api/live/sessions/{sid}/me").json()["group"]
    assert people[0].participant["id"] in [m["id"] for m in mine["members"]]
    assert instructor.get(f"/course/api/live/sessions/{sid}/groups").json() == groups


def test_each_group_gets_its_own_copy_of_the_group_notebook(
    instructor, live_session, join, live_server
) -> None:
    sid = live_session["id"]
    people = [join(live_session, f"member{i}") for i in range(4)]

    groups = instructor.post(f"/course/api/live/sessions/{sid}/groups", json={"count": 2}).json()

    notebooks = [g["notebook"] for g in groups]
    assert notebooks == [f"var/live/{sid}/group-{n}/notebooks/live/m1-groups.ipynb" for n in (1, 2)]
    template = (live_server.course / "notebooks/live/m1-groups.ipynb").read_text()
    for path in notebooks:
        copy = json.loads((live_server.course / path).read_text())
        assert [c["source"] for c in copy["cells"]] == [
            c["source"] for c in json.loads(template)["cells"]
        ]
    mine = people[0].get(f"/course/api/live/sessions/{sid}/me").json()["group"]
    assert mine["url"].endswith(
        f"lab/tree/var/live/{sid}/group-{mine['number']}/notebooks/live/m1-groups.ipynb"
    )


def test_participants_readiness_and_export(instructor, live_session, join) -> None:
    sid = live_session["id"]
    ada = join(live_session, "Ada")
    join(live_session, None, anonymous=True)
    people = instructor.get(f"/course/api/live/sessions/{sid}/participants").json()
    assert [p["name"] for p in people] == ["Ada", None]
    readiness = instructor.get(f"/course/api/live/sessions/{sid}/readiness").json()
    assert readiness["participants"]["total"] == 2 and readiness["participants"]["anonymous"] == 1
    poll = open_poll(instructor, live_session, "m1-collections")
    ada.put(f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}", json={"value": [0, 2]})
    export = instructor.get(f"/course/api/live/sessions/{sid}/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert rows == [rows[0]] and rows[0]["answer"] == "[1, 2, 3]; {'a': 1}"


def test_ending_a_session_stops_joins_and_questions(instructor, live_session, join, live_server):
    sid = live_session["id"]
    ada = join(live_session)
    ended = instructor.patch(f"/course/api/live/sessions/{sid}", json={"state": "ended"})
    assert ended.json()["state"] == "ended"
    with live_server.anonymous() as late:
        refused = late.post(
            "/course/api/live/join", json={"code": live_session["join_code"], "name": "Late"}
        )
    assert refused.status_code == 404
    asked = ada.post(f"/course/api/live/sessions/{sid}/me/questions", json={"text": "still?"})
    assert asked.status_code == 409
