"""A text poll's words are held for the instructor's approval: through the real server's
REST API and websockets, the presenter never gets a word the instructor did not
approve, a hidden word never comes back, and participants see approved words only."""

from __future__ import annotations

import json
from typing import Any

from tests.live.helpers import open_poll
from tests.live.test_channels import frames_until


def _words(results: dict[str, Any], key: str = "words") -> dict[str, int]:
    return {w["word"]: w["count"] for w in results.get(key, [])}


def test_words_reach_the_presenter_only_once_approved(
    live_server, instructor, live_session, join
) -> None:
    sid = live_session["id"]
    ada, bo = join(live_session, "Ada"), join(live_session, "Bo")
    poll = open_poll(instructor, live_session, "m1-muddiest")
    answers = f"/course/api/live/sessions/{sid}/me/answers/{poll['id']}"
    words_url = f"/course/api/live/sessions/{sid}/polls/{poll['id']}/words"
    with live_server.ws(f"/course/api/live/sessions/{sid}/ws", instructor) as presenter:
        json.loads(presenter.recv(timeout=15))
        assert ada.put(answers, json={"value": "slicing and Bo is stupid"}).status_code == 200
        assert bo.put(answers, json={"value": "Slicing, loops"}).status_code == 200
        frames = frames_until(
            presenter,
            lambda f: f["type"] == "poll" and f["poll"]["results"]["answers"] == 2,
        )
        held = frames[-1]["poll"]["results"]
        assert _words(held) == {}  # nothing on the projector yet
        assert _words(held, "pending") == {"slicing": 2, "bo": 1, "stupid": 1, "loops": 1}

        hidden = instructor.patch(words_url, json={"words": ["stupid", "Bo"], "state": "hidden"})
        assert hidden.status_code == 200, hidden.text
        approved = instructor.patch(
            words_url, json={"words": ["slicing", "loops"], "state": "approved"}
        )
        assert _words(approved.json()["results"]) == {"slicing": 2, "loops": 1}
        frames += frames_until(
            presenter,
            lambda f: f["type"] == "poll" and _words(f["poll"]["results"]).get("loops") == 1,
        )
        # Later answers add to approved counts; a hidden word stays off however often typed.
        assert ada.put(answers, json={"value": "stupid stupid slicing"}).status_code == 200
        frames += frames_until(
            presenter,
            lambda f: (
                f["type"] == "poll"
                and _words(f["poll"]["results"]).get("slicing") == 2
                and "loops" in _words(f["poll"]["results"])
                and _words(f["poll"]["results"], "hidden").get("stupid") == 2
                and "bo" not in _words(f["poll"]["results"], "hidden")
            ),
        )
    for frame in frames:  # not one frame the presenter got showed a held or hidden word
        if frame["type"] == "poll":
            assert set(_words(frame["poll"]["results"])) <= {"slicing", "loops"}

    # Participants, once revealed, get the approved words and nothing of the rest.
    instructor.post(f"/course/api/live/sessions/{sid}/polls/{poll['id']}/reveal")
    seen = ada.get(f"/course/api/live/sessions/{sid}/me").json()["poll"]["results"]
    assert _words(seen) == {"slicing": 2, "loops": 1}
    assert "pending" not in seen and "hidden" not in seen
    assert "stupid" not in json.dumps(seen)


def test_word_decisions_are_the_instructors_and_checked(
    live_server, instructor, live_session, join
) -> None:
    sid = live_session["id"]
    ada = join(live_session, "Ada")
    text = open_poll(instructor, live_session, "m1-muddiest")
    url = f"/course/api/live/sessions/{sid}/polls/{text['id']}/words"
    refused = ada.patch(url, json={"words": ["x"], "state": "approved"})
    assert refused.status_code == 403
    two = instructor.patch(url, json={"words": ["two words"], "state": "approved"})
    assert two.status_code == 400 and "one word" in two.json()["message"]
    state = instructor.patch(url, json={"words": ["loops"], "state": "shown"})
    assert state.status_code == 400 and "state" in state.json()["message"]
    choice = open_poll(instructor, live_session, "m1-types")
    other = f"/course/api/live/sessions/{sid}/polls/{choice['id']}/words"
    single = instructor.patch(other, json={"words": ["loops"], "state": "approved"})
    assert single.status_code == 400 and "text poll" in single.json()["message"]
    # Back to pending: approved words leave the projector again.
    instructor.patch(url, json={"words": ["loops"], "state": "approved"})
    again = instructor.patch(url, json={"words": ["LOOPS"], "state": "pending"})
    assert again.status_code == 200 and _words(again.json()["results"]) == {}
