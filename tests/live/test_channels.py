"""Websocket channels: presenter and participant pushes, coalesced bursts, auth."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from tests.live.helpers import open_poll


def frames_until(ws: Any, done: Any, timeout: float = 15) -> list[dict[str, Any]]:
    """Read frames until ``done(frame)`` holds; every frame read, in order."""
    frames, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        frames.append(frame)
        if done(frame):
            return frames
    raise AssertionError(f"condition not met; got {frames[-3:]}")


def test_presenter_gets_the_state_then_live_results(live_server, instructor, live_session, join):
    sid = live_session["id"]
    ada = join(live_session)
    poll = open_poll(instructor, live_session, "m1-types")
    with live_server.ws(f"/course/api/live/sessions/{sid}/ws", instructor) as ws:
        first = json.loads(ws.recv(timeout=15))
        assert first["type"] == "state" and first["session"]["join_code"]
        ada.put(f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}", json={"value": 2})
        frames = frames_until(
            ws, lambda f: f["type"] == "poll" and f["poll"]["results"]["answers"] == 1
        )
        assert frames[-1]["poll"]["results"]["counts"] == [0, 0, 1]


def test_a_burst_of_answers_is_coalesced_into_few_pushes(live_server, instructor, live_session):
    sid = live_session["id"]
    with live_server.anonymous() as client:
        code = live_session["join_code"]
        people = []
        for i in range(60):
            client.cookies.clear()
            client.post("/course/api/live/join", json={"code": code, "name": f"p{i}"})
            people.append(dict(client.cookies))
    poll = open_poll(instructor, live_session, "m1-types")
    url = f"{live_server.url}/course/api/live/sessions/{sid}/me/answers/{poll['id']}"

    def answer(cookies: dict[str, str]) -> int:
        with live_server.anonymous() as person:
            person.cookies.update(cookies)
            return person.put(url, json={"value": 1}).status_code

    with live_server.ws(f"/course/api/live/sessions/{sid}/ws", instructor) as ws:
        ws.recv(timeout=15)
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(answer, people)) == {200}
        frames = frames_until(
            ws, lambda f: f["type"] == "poll" and f["poll"]["results"]["answers"] == 60
        )
        elapsed = time.monotonic() - started
    polls = [f for f in frames if f["type"] == "poll"]
    assert len(polls) <= elapsed / 0.05 + 2  # at most one push per 50 ms interval
    assert polls[-1]["poll"]["results"]["counts"] == [0, 60, 0]


def test_participant_channel_pushes_poll_changes_questions_and_own_group(
    live_server, instructor, live_session, join
):
    sid = live_session["id"]
    ada, bo = join(live_session, "Ada"), join(live_session, "Bo")
    with live_server.ws(f"/course/api/live/sessions/{sid}/me/ws", ada) as ws:
        first = json.loads(ws.recv(timeout=15))
        assert first["type"] == "state" and first["me"]["name"] == "Ada"
        assert "join_code" not in first["session"]
        poll = open_poll(instructor, live_session, "m1-types")
        frames = frames_until(ws, lambda f: f["type"] == "poll" and f["poll"]["state"] == "open")
        assert frames[-1]["poll"]["id"] == poll["id"] and "results" not in frames[-1]["poll"]
        bo.post(f"/course/api/live/sessions/{sid}/me/questions", json={"text": "<b>hi</b>"})
        asked = frames_until(ws, lambda f: f["type"] == "questions")[-1]
        assert asked["questions"][0]["text"] == "<b>hi</b>"
        instructor.post(f"/course/api/live/sessions/{sid}/groups", json={"count": 2})
        group = frames_until(ws, lambda f: f["type"] == "group")[-1]["group"]
        assert [m["name"] for m in group["members"]] == ["Ada"]


def test_channels_refuse_the_wrong_role(live_server, live_session, join) -> None:
    sid = live_session["id"]
    ada = join(live_session)
    with pytest.raises(InvalidStatus) as refused:
        live_server.ws(f"/course/api/live/sessions/{sid}/ws", ada)
    assert refused.value.response.status_code == 403
    with live_server.anonymous() as stranger, pytest.raises(InvalidStatus) as refused:
        live_server.ws(f"/course/api/live/sessions/{sid}/me/ws", stranger)
    assert refused.value.response.status_code == 403


def test_ending_the_session_reaches_every_phone_at_once(
    live_server, instructor, live_session, join
):
    sid = live_session["id"]
    poll = open_poll(instructor, live_session, "m1-types")
    phones = [join(live_session, f"p{i}") for i in range(3)]
    with ExitStack() as stack:
        sockets = [
            stack.enter_context(live_server.ws(f"/course/api/live/sessions/{sid}/me/ws", p))
            for p in phones
        ]
        for ws in sockets:
            assert json.loads(ws.recv(timeout=15))["poll"]["state"] == "open"
        ended = instructor.patch(f"/course/api/live/sessions/{sid}", json={"state": "ended"})
        assert ended.status_code == 200, ended.text
        for ws in sockets:  # no one has to post anything for the phones to learn it
            frames = frames_until(ws, lambda f: f["type"] == "poll", timeout=5)
            sessions = [f["session"] for f in frames if f["type"] == "session"]
            assert [s["state"] for s in sessions] == ["ended"]
            assert (frames[-1]["poll"]["id"], frames[-1]["poll"]["state"]) == (poll["id"], "closed")
