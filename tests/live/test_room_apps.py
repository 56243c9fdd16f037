"""The session's presentation app, served to participants by a real course server on
loopback: opened from the participant's cookie, without a Jupyter login, on confined
preheated kernels with the course template; that door serves the app and nothing else."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from course.testing.voila import render

pytestmark = pytest.mark.slow

APP_KERNELS = Path("/tmp/course-apps")


def _app(participant: httpx.Client, sid: int) -> dict[str, Any]:
    reply = participant.get(f"/course/api/live/sessions/{sid}/me/app", timeout=120)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def _confinements(before: set[Path]) -> list[dict[str, list[str]]]:
    """What the app's new kernels report they applied (``course.workspace.confined_kernel``)."""
    deadline, found = time.monotonic() + 30, []
    while time.monotonic() < deadline and not found:
        found = [
            json.loads(p.read_text())
            for p in APP_KERNELS.glob("k*/confinement.json")
            if p.parent not in before
        ]
        time.sleep(0.3)
    return found


def test_participants_open_the_sessions_app_without_a_login(
    live_server, instructor, live_session, join
) -> None:
    sid = live_session["id"]
    before = set(APP_KERNELS.glob("k*"))
    ada, bo = join(live_session, "Ada"), join(live_session, "Bo")
    first, second = _app(ada, sid), _app(bo, sid)
    assert first == second  # one app server for the room, started once
    assert first["notebook"] == "notebooks/apps/01-functions.ipynb"
    url = first["url"]
    assert url.startswith("http://127.0.0.1:") and not url.startswith(live_server.url)

    page = render(url)  # a phone with no cookie, no token: the app itself
    assert page.status_code == 200
    assert "application/vnd.jupyter.widget-view+json" in page.text
    assert "Traceback" not in page.text
    assert "Data Analysis with Python" in page.text  # the course template's header

    # Its kernels are confined like a learner's: no network, Landlock, limits.
    reports = _confinements(before)
    assert reports, "no confined app kernel found"
    for report in reports:
        assert "network-namespace" in report["applied"], report
        assert any(a.startswith("landlock-abi") for a in report["applied"]), report
        assert any(a.startswith("rlimits") for a in report["applied"]), report

    # Nothing else through that door: every other route ends on Voila's 403.
    with httpx.Client(base_url=url, timeout=10, follow_redirects=True) as stranger:
        for path in (
            "api/contents",
            "api/kernels",
            "api/sessions",
            "api/terminals",
            "tree",
            "files/course.yml",
            "voila/files/course.yml",
            "voila/render/notebooks/apps/02-grouping.ipynb",
            "course/api/live/sessions",
        ):
            assert stranger.get(path).status_code in (403, 404), path
        assert stranger.get("api/contents").status_code == 403


def test_the_app_is_for_participants_of_an_open_session(
    live_server, instructor, live_session, join
) -> None:
    sid = live_session["id"]
    with live_server.anonymous() as stranger:
        refused = stranger.get(f"/course/api/live/sessions/{sid}/me/app")
        assert refused.status_code == 403
    ada = join(live_session, "Ada")
    instructor.patch(f"/course/api/live/sessions/{sid}", json={"state": "ended"})
    ended = ada.get(f"/course/api/live/sessions/{sid}/me/app")
    assert ended.status_code == 409 and "ended" in ended.json()["message"]
