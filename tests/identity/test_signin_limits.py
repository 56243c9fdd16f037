"""Wrong sign-in codes typed behind one router cannot lock the class out, and guessing
codes is still stopped: on a real course server, from one address (loopback)."""

from __future__ import annotations

import httpx
import pytest

from tests.identity.conftest import Class

pytestmark = pytest.mark.slow


def _try(client: httpx.Client, code: str) -> int:
    client.cookies.clear()
    client.get("/course/signin")
    xsrf = client.cookies["_xsrf"]
    return client.post("/course/signin", data={"code": code, "_xsrf": xsrf}).status_code


def test_typos_then_the_right_code_then_a_guesser(classroom: Class) -> None:
    with httpx.Client(base_url=classroom.server.url, timeout=30) as room:
        typos = [_try(room, f"AAAAA-{i:05d}") for i in range(35)]
        assert typos == [403] * 35  # past the address's own 20: checked on the overflow
        assert _try(room, classroom.codes["ada"]) == 303  # in at once

        guesses = [_try(room, f"BBBBB-{i:05d}") for i in range(60)]
        assert guesses[-1] == 429 and guesses.count(403) <= 50 - 15 + 2
        # Grace's right code, never seen from here, is refused unchecked like a guess...
        assert _try(room, classroom.codes["grace"]) == 429
        # ...while Ada's, which got someone in from this address, still gets in.
        assert _try(room, classroom.codes["ada"].lower()) == 303
