"""Poll results are counted by the database (GROUP BY): they must equal a count over every
answer, for each poll kind, while answers arrive and change, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from course.live import views
from course.live.errors import Conflict, NotFound
from course.live.service import LiveService
from course.live.store import Answer, Poll, Store, sqlite_url
from course.plan import load_course
from course.testing import postgres as pgserver
from tests.sample import copy_sample_course

WORDS = ["slicing", "Loops", "the", "lists and loops", "dicts!", "Slicing, again", "ünïcode"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveService]:
    course = load_course(copy_sample_course(tmp_path / "course"))
    postgres = None
    if request.param == "postgres":
        if not pgserver.available():
            pytest.fail(f"PostgreSQL binaries not found in {pgserver.BIN}")
        postgres = pgserver.PostgresServer()
        postgres.start()
    store = Store(postgres.url if postgres else sqlite_url(tmp_path / "live.sqlite"))
    store.migrate()
    try:
        yield LiveService(store, course)
    finally:
        store.dispose()
        if postgres:
            postgres.stop()


def _value(kind: str, options: int, rng: random.Random) -> Any:
    if kind == "single":
        return rng.randrange(options)
    if kind == "multiple":
        return rng.sample(range(options), rng.randint(1, options))
    if kind == "numeric":
        return rng.choice([1412, 1412.0, 1000, 2000.5, -3, 7])
    return rng.choice(WORDS)


def _recount(service: LiveService, poll_id: int) -> dict[str, Any]:
    """The results counted the slow way: every stored answer, one by one."""
    with service.store.session() as db:
        poll = db.get(Poll, poll_id)
        query = select(Answer.value).where(Answer.poll_id == poll_id).order_by(Answer.id)
        values = list(db.scalars(query))
        return views.results(poll, values)


def test_results_stay_exact_while_answers_change(service) -> None:
    rng = random.Random(5)
    session = service.create_session("m1")
    sid = session["id"]
    people = [
        service.join(session["join_code"], f"p{i}", False).participant["id"] for i in range(30)
    ]
    kinds = set()
    while (poll := service.next_poll(sid)) is not None:
        kinds.add(poll["kind"])
        for round_ in range(3):  # everyone answers, then a random half changes their mind
            for person in people if round_ == 0 else rng.sample(people, 15):
                value = _value(poll["kind"], len(poll["options"]), rng)
                service.answer(sid, person, poll["id"], value)
            pushed = service.update(sid, {("answers", poll["id"])}).presenter[0]["poll"]
            assert pushed["results"] == _recount(service, poll["id"])
            assert pushed["results"]["answers"] == len(people)
        assert service.results(sid, poll["id"])["results"] == _recount(service, poll["id"])
    assert kinds == {"single", "multiple", "numeric", "text"}


def test_a_batch_stores_the_good_answers_and_refuses_each_bad_one(service) -> None:
    session = service.create_session("m1")
    sid = session["id"]
    ada, bob, cy = (
        service.join(session["join_code"], name, False).participant["id"]
        for name in ("Ada", "Bob", "Cy")
    )
    draft = service.session(sid)["polls"][1]
    poll = service.next_poll(sid)
    outcomes = service.answer_many(
        [
            (sid, ada, poll["id"], 0),
            (sid, bob, poll["id"], 7),  # no such option
            (sid, cy, draft["id"], 0),  # not open
            (sid + 1, cy, poll["id"], 0),  # another session's poll
            (sid, cy, poll["id"], 2),
            (sid, ada, poll["id"], 1),  # changed within the batch: the later one wins
        ]
    )
    assert outcomes[0] == 0 and outcomes[4] == 2 and outcomes[5] == 1
    assert [type(o).__name__ for o in outcomes[1:4]] == ["Invalid", "Conflict", "NotFound"]
    assert service.results(sid, poll["id"])["results"] == {"answers": 2, "counts": [0, 1, 1]}


def test_the_answer_cache_follows_every_poll_state_change(service) -> None:
    """Answers check a cached poll state: closing, ending, next and reopening all count."""
    session = service.create_session("m1")
    sid = session["id"]
    ada = service.join(session["join_code"], "Ada", False).participant["id"]
    first = service.next_poll(sid)
    assert service.answer(sid, ada, first["id"], 0) == 0  # now cached as open
    service.poll_action(sid, first["id"], "close")
    with pytest.raises(Conflict, match="closed"):
        service.answer(sid, ada, first["id"], 1)
    service.poll_action(sid, first["id"], "open")
    assert service.answer(sid, ada, first["id"], 1) == 1
    second = service.next_poll(sid)  # closes the first
    with pytest.raises(Conflict):
        service.answer(sid, ada, first["id"], 2)
    assert service.answer(sid, ada, second["id"], [1]) == [1]
    service.change_session(sid, "ended")  # closes the open poll
    with pytest.raises(Conflict):
        service.answer(sid, ada, second["id"], [0])
    with pytest.raises(NotFound):
        service.answer(sid + 1, ada, second["id"], [0])
    assert service.results(sid, first["id"])["results"]["counts"] == [0, 1, 0]
