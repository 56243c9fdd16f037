"""Wrong join codes from one address (a classroom behind one router) never lock the right
code out, and guessing codes is still stopped: on a real server with the default limits,
and the rules themselves on a clock the test turns."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from course.identity.attempts import WrongCodes
from course.testing import CourseServer
from tests.sample import copy_sample_course


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    """A server with the default limits: 20 wrong codes per address, 50 shared overflow."""
    server = CourseServer(copy_sample_course(tmp_path_factory.mktemp("joins") / "course"))
    server.start()
    yield server
    server.stop()


def _join(client: httpx.Client, code: str) -> int:
    client.cookies.clear()
    return client.post("/course/api/live/join", json={"code": code, "name": "x"}).status_code


def _wrong(right: str, i: int) -> str:
    """A typo of the right code: the kind a room makes (never the right code itself)."""
    wrong = f"{right[:3]}{'ABCDEFGHJK'[i % 10]}{'MNPQRSTUVW'[i // 10 % 10]}Z"
    return wrong if wrong != right else "ZZZZZZ"


def test_a_room_locked_by_typos_still_gets_in_and_guessing_is_stopped(server) -> None:
    with server.instructor() as instructor, server.anonymous() as room:
        first = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
        code = first["join_code"]
        typos = [_join(room, _wrong(code, i)) for i in range(35)]
        assert typos == [404] * 35  # past the address's own 20: checked on the overflow
        assert _join(room, code) == 201  # the right code gets in at once

        # A guesser at the same address goes on: checked until the overflow is empty too,
        # then refused unchecked (a refusal tells nothing about the code).
        guesses = [_join(room, f"G{i:05d}") for i in range(60)]
        assert guesses.count(404) <= 50 - (35 - 20) + 2 and guesses[-1] == 429
        second = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
        limited = room.post(
            "/course/api/live/join", json={"code": second["join_code"], "name": "x"}
        )
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert (
            instructor.get(f"/course/api/live/sessions/{second['id']}").json()["participants"] == 0
        )
        # The room that is already in is not locked out by the guesser: its code, seen
        # from this address, still gets the next person in.
        assert _join(room, code.lower()) == 201
        participants = instructor.get(f"/course/api/live/sessions/{first['id']}").json()
        assert participants["participants"] == 2


def test_an_address_has_its_own_allowance_then_the_shared_overflow() -> None:
    now = [0.0]
    codes = WrongCodes(
        burst=3, per_second=0.5, overflow_burst=2, overflow_per_second=0.1, clock=lambda: now[0]
    )
    for _ in range(3):
        assert codes.wait("a", "WRONG1") == 0
        codes.failed("a")
    for _ in range(2):  # the address's own is empty: the overflow checks two more
        assert codes.wait("a", "WRONG2") == 0
        codes.failed("a")
    assert codes.wait("a", "RIGHT1") == pytest.approx(2.0)  # unchecked: no hint
    assert codes.wait("b", "RIGHT1") == 0  # another address still has its own
    now[0] = 2.0
    assert codes.wait("a", "RIGHT1") == 0  # one of its own back after 1 / 0.5 s


def test_a_right_code_seen_from_an_address_is_never_limited_there() -> None:
    codes = WrongCodes(
        burst=1, per_second=0.01, overflow_burst=1, overflow_per_second=0.01, clock=lambda: 0.0
    )
    codes.succeeded("room", "abc-def")
    for _ in range(10):
        codes.failed("room")
    assert codes.wait("room", "ABC DEF") == 0  # the same code, typed differently
    assert codes.wait("room", "ABCDEG") > 0
    assert codes.wait("elsewhere", "ABCDEF") == 0  # its own allowance is untouched


def test_wrong_codes_in_parallel_keep_the_address_shut_longer() -> None:
    now = [0.0]
    codes = WrongCodes(
        burst=3, per_second=1, overflow_burst=0, overflow_per_second=0.001, clock=lambda: now[0]
    )
    for _ in range(10):  # ten wrong guesses that were all let in together
        codes.failed("a")
    now[0] = 3.5  # one guessing in turn would have three back by now
    assert codes.wait("a", "X") > 0
    now[0] = 7.0  # the debt is at most one burst deep
    assert codes.wait("a", "X") == 0
