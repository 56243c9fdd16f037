"""The store and the service without HTTP: schema, answers, votes, groups, events, export."""

from __future__ import annotations

import csv
import io
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from course.live.errors import Conflict, Invalid, NotFound
from course.live.schemas import FormGroups, NewPoll, Statement, parse
from course.live.service import LiveService
from course.live.store import LIVE, Base, Store, sqlite_url
from course.plan import load_course
from course.record import ProgressEvent
from course.record.store import EVENTS
from tests.sample import copy_sample_course


@pytest.fixture
def service(tmp_path: Path) -> LiveService:
    course = load_course(copy_sample_course(tmp_path / "course"))
    store = Store(sqlite_url(tmp_path / "live.sqlite"))
    store.migrate()
    return LiveService(store, course)


def statement(actor: str = "ada", scaled: float = 1.0, name: str = "m1-squares") -> dict[str, Any]:
    kit = "urn:blended-course-kit:"
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": actor, "account": {"name": actor}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en": "checked"}},
        "object": {
            "id": f"{kit}pydata:exercise:{name}",
            "definition": {"type": f"{kit}exercise", "name": {"en": name}},
        },
        "result": {"success": scaled == 1.0, "score": {"scaled": scaled}},
        "context": {"extensions": {f"{kit}course": "pydata", f"{kit}module": "m1"}},
        "timestamp": "2027-01-12T10:00:00.000+00:00",
    }


def _models_table(name: str, type_: str, parent: object) -> bool:
    return not (type_ == "table" and name.endswith("_alembic_version"))


def test_migrations_build_exactly_the_models_schema_in_wal_mode(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path / "s.sqlite"))
    store.migrate()
    store.migrate()  # a second start changes nothing
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _models_table})
        assert compare_metadata(context, [Base.metadata, ProgressEvent.metadata]) == []
        for chain, head in ((LIVE, "0003"), (EVENTS, "r0001")):
            opts = {"version_table": chain.version_table}
            assert MigrationContext.configure(connection, opts=opts).get_current_revision() == head
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_session_loads_the_module_polls_with_correct_options_as_indices(service) -> None:
    session = service.create_session("m1")
    assert len(session["join_code"]) == 6
    polls = service.session(session["id"])["polls"]
    assert [p["key"] for p in polls] == [
        "m1-types",
        "m1-collections",
        "m1-slice",
        "m1-comprehension",
        "m1-muddiest",
    ]
    assert polls[0]["correct"] == [1] and polls[1]["correct"] == [0, 2]
    assert polls[2]["correct"] == {"value": 1412.0, "tolerance": 0.0}
    assert all(p["state"] == "draft" for p in polls)


def test_unknown_module_names_the_valid_ones(service) -> None:
    with pytest.raises(NotFound, match="valid: m1, m2, m3"):
        service.create_session("m9")


def test_answers_change_until_the_poll_closes(service) -> None:
    session = service.create_session("m1")
    ada = service.join(session["join_code"], "Ada", False).participant["id"]
    poll = service.next_poll(session["id"])
    service.answer(session["id"], ada, poll["id"], 0)
    service.answer(session["id"], ada, poll["id"], 1)
    assert service.results(session["id"], poll["id"])["results"] == {
        "answers": 1,
        "counts": [0, 1, 0],
    }
    service.poll_action(session["id"], poll["id"], "close")
    with pytest.raises(Conflict, match="closed"):
        service.answer(session["id"], ada, poll["id"], 2)
    assert service.results(session["id"], poll["id"])["results"]["counts"] == [0, 1, 0]


def test_opening_a_poll_closes_the_previous_one(service) -> None:
    session = service.create_session("m1")
    first = service.next_poll(session["id"])
    second = service.next_poll(session["id"])
    states = {p["id"]: p["state"] for p in service.session(session["id"])["polls"]}
    assert states[first["id"]] == "closed" and states[second["id"]] == "open"
    assert service.session(session["id"])["session"]["current_poll_id"] == second["id"]


def test_answers_are_checked_against_the_poll_kind(service) -> None:
    session = service.create_session("m1")
    ada = service.join(session["join_code"], "Ada", False).participant["id"]
    single = service.next_poll(session["id"])
    for bad in (3, -1, True, "1", [1], 1.0):
        with pytest.raises(Invalid):
            service.answer(session["id"], ada, single["id"], bad)
    multiple = service.next_poll(session["id"])
    with pytest.raises(Invalid):
        service.answer(session["id"], ada, multiple["id"], [0, 0])
    assert service.answer(session["id"], ada, multiple["id"], [2, 0]) == [0, 2]


def test_numeric_and_text_results(service) -> None:
    session = service.create_session("m1")
    people = [
        service.join(session["join_code"], f"p{i}", False).participant["id"] for i in range(4)
    ]
    for _ in range(2):
        service.next_poll(session["id"])
    numeric = service.next_poll(session["id"])
    for person, value in zip(people, [1412, 1412, 1000, 2000.5], strict=True):
        service.answer(session["id"], person, numeric["id"], value)
    results = service.results(session["id"], numeric["id"])["results"]
    assert results["answers"] == 4 and results["within_tolerance"] == 2
    assert results["median"] == 1412 and sum(b["count"] for b in results["histogram"]) == 4
    service.next_poll(session["id"])
    text = service.next_poll(session["id"])
    for person, reply in zip(
        people, ["Slicing!", "slicing and loops", "loops", "The"], strict=True
    ):
        service.answer(session["id"], person, text["id"], reply)
    held = service.results(session["id"], text["id"])["results"]
    assert held["words"] == []  # held for the instructor's approval (course.live.words)
    assert held["pending"][:2] == [{"word": "slicing", "count": 2}, {"word": "loops", "count": 2}]
    service.moderate_words(session["id"], text["id"], ["slicing", "loops"], "approved")
    words = service.results(session["id"], text["id"])["results"]["words"]
    assert words[:2] == [{"word": "slicing", "count": 2}, {"word": "loops", "count": 2}]


def test_an_upvote_counts_once_per_participant(service) -> None:
    session = service.create_session("m1")
    ada, bo = (service.join(session["join_code"], n, False).participant["id"] for n in "AB")
    question = service.ask(session["id"], ada, "Why is 3 / 2 a float?")
    for _ in range(3):
        service.vote(session["id"], ada, question["id"])
    assert service.vote(session["id"], bo, question["id"])["votes"] == 2


def test_hidden_questions_are_only_shown_to_the_instructor(service) -> None:
    session = service.create_session("m1")
    ada = service.join(session["join_code"], "Ada", False).participant["id"]
    question = service.ask(session["id"], ada, "spam")
    service.moderate(session["id"], question["id"], answered=None, hidden=True)
    assert service.questions(session["id"], instructor=False) == []
    assert service.questions(session["id"], instructor=True)[0]["hidden"] is True
    with pytest.raises(NotFound):
        service.vote(session["id"], ada, question["id"])


def test_groups_by_size_cover_everyone_once_and_call_the_notebook_hook(service) -> None:
    session = service.create_session("m1")
    for i in range(7):
        service.join(session["join_code"], f"p{i}", False)
    calls = []

    def notebooks(course, info, groups):
        calls.append((info["id"], [g.number for g in groups]))
        return {g.number: f"var/live/{info['id']}/group-{g.number}.ipynb" for g in groups}

    groups = service.form_groups(session["id"], FormGroups(size=3), notebooks)
    assert sorted(len(g["members"]) for g in groups) == [2, 2, 3]
    members = [m["id"] for g in groups for m in g["members"]]
    assert len(members) == len(set(members)) == 7
    assert calls == [(session["id"], [1, 2, 3])]
    assert groups[0]["notebook"] == f"var/live/{session['id']}/group-1.ipynb"
    again = service.form_groups(session["id"], FormGroups(count=2))
    assert [len(g["members"]) for g in again] == [4, 3]


def test_learner_events_are_stored_once_per_id(service) -> None:
    batch = [parse(Statement, statement()) for _ in range(3)]
    assert service.record_events(batch) == {"received": 3, "stored": 3, "duplicates": 0}
    assert service.record_events(batch[1:]) == {"received": 2, "stored": 0, "duplicates": 2}


def test_readiness_counts_signed_in_participants_by_learner_id(service) -> None:
    from course.record.roster import Learner, Roster, save_roster

    save_roster(service.course, Roster([Learner("ada"), Learner("bo"), Learner("cy")]))
    session = service.create_session("m1")
    service.join(session["join_code"], "Anything", False, "ada")  # typed name does not matter
    service.join(session["join_code"], "bo", False)  # the name of a learner, not signed in
    service.join(session["join_code"], None, False, "bo")
    service.join(session["join_code"], None, False, "bo")  # a second tab: still one learner
    service.join(session["join_code"], None, True, "cy")  # anonymous: no learner id kept
    service.join(session["join_code"], "zed", False, "zed")  # signed in once, since removed
    events = [statement("ada", 1.0), statement("bo", 0.5), statement("bo", 0.9), statement("zed")]
    service.record_events([parse(Statement, e) for e in events])
    report = service.readiness(session["id"])
    assert report["prerequisites"] == [{"module": "m1", "assignment": "ps1", "mastery": 0.8}]
    assert report["participants"] == {
        "total": 6,
        "known": 2,
        "ready": 2,
        "share": 1.0,
        "anonymous": 1,
    }
    assert report["learners"] == {"total": 3, "known": 3, "ready": 2, "share": 2 / 3}


def test_export_neutralises_spreadsheet_formulas(service) -> None:
    session = service.create_session("m1")
    person = service.join(session["join_code"], "=HYPERLINK(evil)", False).participant["id"]
    for _ in range(5):
        poll = service.next_poll(session["id"])
    service.answer(session["id"], person, poll["id"], "@SUM(A1:A9)")
    rows = list(csv.reader(io.StringIO(service.export_csv(session["id"]))))
    assert rows[1][4] == "'=HYPERLINK(evil)" and rows[1][5] == "'@SUM(A1:A9)"


def test_polls_created_live_are_validated_by_the_question_model() -> None:
    with pytest.raises(Invalid, match="correct: 'c' is not among the options 'a', 'b'"):
        parse(NewPoll, {"kind": "single", "question": "q", "options": ["a", "b"], "correct": ["c"]})
    with pytest.raises(Invalid, match="options: a choice poll needs at least two options"):
        parse(NewPoll, {"kind": "multiple", "question": "q", "options": ["a"]})
    with pytest.raises(Invalid, match="correct: a text poll collects answers and has no correct"):
        parse(NewPoll, {"kind": "text", "question": "q", "correct": ["x"]})
    with pytest.raises(Invalid, match="correct: a single-choice poll has one correct option"):
        parse(
            NewPoll,
            {"kind": "single", "question": "q", "options": ["a", "b"], "correct": ["a", "b"]},
        )


def test_a_poll_body_keeps_the_api_shape_and_becomes_a_question() -> None:
    body = {
        "id": "p1",
        "kind": "numeric",
        "question": "q",
        "correct": {"value": 3, "tolerance": 0.5},
    }
    poll = parse(NewPoll, body)
    assert poll.model_dump(exclude_defaults=True) == {
        **body,
        "correct": {"value": 3.0, "tolerance": 0.5},
    }
    question = poll.to_question()
    assert (question.kind, question.correct, question.tolerance) == ("numeric", (3.0,), 0.5)
    assert NewPoll.from_question(question) == poll
