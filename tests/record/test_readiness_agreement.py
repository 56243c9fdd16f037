"""The dashboard and the presenter page's readiness give the same numbers for every learner.

A five-learner class on the roster, written through the stores real learners fill,
then read by the dashboard (``course.present``) and by a real course server's
readiness endpoint, where each learner signs in with their personal code and joins
the session: readiness knows them by their roster id, whatever name they type.
Every expected value is worked out by hand here. ps1 has 14 points, ps2 15; mastery
is 0.8 for m1 and m2; the m2 session's prerequisites are m2, then m1.

- ana: ps1 14/14 = 1.0, ps2 12/15 = 0.8: ready for m1 and for m2.
- ben: practice only, m1 (1.0 + 0.7) / 2 = 0.85; nothing in m2: ready for m1 only.
- cleo: ps1 2/14; nothing in m2: below in m1 and m2.
- dan: on the roster, with no work at all: a learner, ready for nothing.
- eve: practice only, m1 best of 0.9 and 0.6 = 0.9; m2 (1.0 + 0.8) / 2 = 0.9: ready for both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from course.identity.codes import issue_codes
from course.identity.keys import course_key
from course.plan import Course, load_course
from course.present import funnel, not_ready
from course.present.synthetic import SyntheticLearner, write_class
from course.record import load_class
from course.record.roster import Learner, Roster, save_roster
from course.testing import CourseServer
from tests.sample import copy_sample_course

PS1_FULL = {
    "test-average-speed-values": 2,
    "test-average-speed-invalid-minutes": 1,
    "test-speeds-kmh": 2,
    "test-fast-trips": 3,
    "test-trip-summary-partial": 4,
    "loop-vs-comprehension": 2,
}
PS2_ANA = {
    "test-rainy-days": 3,
    "test-station-days": 3,
    "test-weekday-means-partial": 4,
    "test-rain-effect": 0,
    "rain-effect-interpretation": 2,
}
CLASS = [
    SyntheticLearner("ana", grades={"ps1": PS1_FULL, "ps2": PS2_ANA}),
    SyntheticLearner(
        "ben",
        checks=[("m1", "m1-a", False, 0.4), ("m1", "m1-a", True, 1.0), ("m1", "m1-b", False, 0.7)],
    ),
    SyntheticLearner("cleo", grades={"ps1": {"test-average-speed-values": 2}}),
    SyntheticLearner("dan", grades={}),
    SyntheticLearner(
        "eve",
        checks=[
            ("m1", "m1-a", False, 0.9),
            ("m1", "m1-a", False, 0.6),
            ("m2", "m2-a", True, 1.0),
            ("m2", "m2-b", False, 0.8),
        ],
    ),
]
SHARES = {  # learner → module → share, by hand
    "ana": {"m1": 1.0, "m2": 0.8},
    "ben": {"m1": 0.85, "m2": 0.0},
    "cleo": {"m1": 2 / 14, "m2": 0.0},
    "dan": {"m1": 0.0, "m2": 0.0},
    "eve": {"m1": 0.9, "m2": 0.9},
}
READY = {"m1": {"ana", "ben", "eve"}, "m2": {"ana", "eve"}}
TYPED = {"ana": "A.", "ben": "Benjamin", "cleo": "eve", "dan": "D", "eve": "cleo"}  # any name


@pytest.fixture(scope="module")
def course_with_class(tmp_path_factory: pytest.TempPathFactory) -> Course:
    course = load_course(copy_sample_course(tmp_path_factory.mktemp("agree") / "course"))
    write_class(course, CLASS)
    return course


@pytest.fixture(scope="module")
def codes(course_with_class: Course) -> dict[str, str]:
    """The class on the roster, each learner with a personal sign-in code."""
    roster = Roster(Learner(learner.name) for learner in CLASS)
    issued = issue_codes(roster, course_key(course_with_class, "signin-codes"))
    save_roster(course_with_class, roster)
    return issued


@pytest.fixture(scope="module")
def server(course_with_class: Course, codes: dict[str, str]) -> Iterator[CourseServer]:
    server = CourseServer(course_with_class.root)
    server.start()
    yield server
    server.stop()


def readiness_of(server: CourseServer, codes: dict[str, str], module: str, people: list) -> dict:
    """A new session of ``module``, joined by these people: ``("learner", id)`` signs in
    with the learner's code first (and types a name of their own), ``("code", name)``
    only has the join code (None: anonymous). The reply has the session's id too."""
    with server.instructor() as instructor:
        session = instructor.post("/course/api/live/sessions", json={"module": module}).json()
        for kind, who in people:
            person = server.learner(codes[who]) if kind == "learner" else server.anonymous()
            name = TYPED[who] if kind == "learner" else who
            body = {"code": session["join_code"], "anonymous": name is None}
            if name:
                body["name"] = name
            assert person.post("/course/api/live/join", json=body).status_code == 201
            person.close()
        reply = instructor.get(f"/course/api/live/sessions/{session['id']}/readiness")
        assert reply.status_code == 200, reply.text
        return {**reply.json(), "session": session["id"]}


@pytest.mark.parametrize("module", ["m1", "m2"])
def test_dashboard_lists_exactly_the_learners_not_ready_by_hand(
    course_with_class: Course, codes: dict[str, str], module: str
) -> None:
    record = load_class(course_with_class)  # the class is the roster
    assert record.learners == set(SHARES)
    found = {r.learner: r for r in not_ready(course_with_class, record, module)}
    assert set(found) == set(SHARES) - READY[module]
    for learner, row in found.items():
        assert row.shares == pytest.approx({m: SHARES[learner][m] for m in row.shares})
    mastery = {row.module: row.mastery for row in funnel(course_with_class, record)}
    assert mastery["m1"] == 3 and mastery["m2"] == 2  # m2: ana 0.8 and eve 0.9


@pytest.mark.parametrize("module", ["m1", "m2"])
def test_presenter_readiness_agrees_on_every_learner(
    server: CourseServer, codes: dict[str, str], module: str
) -> None:
    for learner in SHARES:
        report = readiness_of(server, codes, module, [("learner", learner)])
        assert report["participants"]["known"] == 1, learner
        assert report["participants"]["ready"] == (learner in READY[module]), learner


def test_a_name_typed_without_signing_in_is_no_learner(
    server: CourseServer, codes: dict[str, str]
) -> None:
    report = readiness_of(server, codes, "m1", [("code", "ana"), ("code", "Ana")])
    assert report["participants"] == {
        "total": 2,
        "known": 0,
        "ready": 0,
        "share": None,
        "anonymous": 0,
    }


@pytest.mark.browser
def test_presenter_readiness_counts_the_whole_class(
    server: CourseServer, codes: dict[str, str]
) -> None:
    people = [("learner", learner) for learner in SHARES] + [("code", "Zed"), ("code", None)]
    report = readiness_of(server, codes, "m2", people)
    assert report["prerequisites"] == [
        {"module": "m2", "assignment": "ps2", "mastery": 0.8},
        {"module": "m1", "assignment": "ps1", "mastery": 0.8},
    ]
    assert report["participants"] == {
        "total": 7,
        "known": 5,
        "ready": 2,
        "share": 0.4,
        "anonymous": 1,
    }
    # dan has no work but is on the roster: one of the class's five learners
    assert report["learners"] == {"total": 5, "known": 5, "ready": 2, "share": 0.4}
    assert presenter_readiness(server, report["session"]) == (
        "Readiness: 2 of 5 signed-in learners here ready (40%) · class: 2 of 5 learners ready"
    )


def presenter_readiness(server: CourseServer, session_id: int) -> str:
    """The readiness line of the session's presenter page, in Debian's chromium."""
    from playwright.sync_api import expect

    from course.testing.browser import chromium

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{server.url}/course/live/sessions/{session_id}/present?token={server.token}")
        line = page.locator("#readiness")
        expect(line).to_contain_text("class:", timeout=30_000)
        return str(line.inner_text())


def test_a_learner_only_the_gradebook_knows_is_in_the_record(tmp_path: Path) -> None:
    course = load_course(copy_sample_course(tmp_path / "course"))
    write_class(course, [SyntheticLearner("dan")])
    assert load_class(course).learners == {"dan"}
