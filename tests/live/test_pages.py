"""The live pages over HTTP: who may open which page, escaping, headers, static files."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from course.live import pages
from course.testing import CourseServer
from tests.live.conftest import Join

STATIC = Path(pages.__file__).parent / "static"


def test_join_page_is_public_and_locked_down(live_server: CourseServer) -> None:
    with live_server.anonymous() as browser:
        reply = browser.get("/course/live/join")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    policy = reply.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert reply.headers["cache-control"] == "no-store"
    assert '<label for="code">Join code</label>' in reply.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", reply.text), "no inline script"


def test_join_page_prefills_the_code_escaped(live_server: CourseServer) -> None:
    with live_server.anonymous() as browser:
        reply = browser.get("/course/live/join", params={"code": '"><script>x'})
    assert reply.status_code == 200
    assert "<script>x" not in reply.text
    assert 'value="&#34;&gt;&lt;script&gt;x"' in reply.text


def test_participant_page_needs_the_join_cookie_of_that_session(
    live_server: CourseServer, instructor: httpx.Client, live_session: dict[str, Any], join: Join
) -> None:
    sid = live_session["id"]
    with live_server.anonymous() as stranger:
        refused = stranger.get(f"/course/live/s/{sid}")
    assert refused.status_code == 302
    assert refused.headers["location"] == "/course/live/join"

    participant = join(live_session)
    page = participant.get(f"/course/live/s/{sid}")
    assert page.status_code == 200
    assert f'data-session="{sid}"' in page.text

    other = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
    assert participant.get(f"/course/live/s/{other['id']}").status_code == 302


def test_participant_cannot_open_instructor_pages(
    live_server: CourseServer, live_session: dict[str, Any], join: Join
) -> None:
    participant = join(live_session)
    sid = live_session["id"]
    for page in ("", f"sessions/{sid}/present", f"sessions/{sid}/control"):
        reply = participant.get(f"/course/live/{page}")
        assert reply.status_code == 302, page
        assert reply.headers["location"].startswith("/login?next="), page
        assert live_session["join_code"] not in reply.text


def test_presenter_page_shows_join_url_code_and_qr_with_title_escaped(
    instructor: httpx.Client, live_server: CourseServer
) -> None:
    title = "<img src=x onerror=alert(1)> & co"
    session = instructor.post(
        "/course/api/live/sessions", json={"module": "m1", "title": title}
    ).json()
    reply = instructor.get(f"/course/live/sessions/{session['id']}/present")
    assert reply.status_code == 200
    assert "<img src=x" not in reply.text
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in reply.text
    assert f'id="join-code">{session["join_code"]}<' in reply.text
    assert f"{live_server.url}<wbr>/course/live/join" in reply.text
    assert re.search(r'<svg viewBox="0 0 (\d+) \1" class="qr">', reply.text)
    assert '<meta name="course-xsrf" content="2|' in reply.text
    assert 'href="/voila/render/notebooks/apps/01-functions.ipynb"' in reply.text


def test_control_and_index_pages_list_the_session(
    instructor: httpx.Client, live_session: dict[str, Any]
) -> None:
    sid = live_session["id"]
    control = instructor.get(f"/course/live/sessions/{sid}/control")
    assert control.status_code == 200
    join = f"/course/live/join?code={live_session['join_code']}"
    assert join in control.text
    assert f"/course/api/live/sessions/{sid}/export.csv" in control.text
    index = instructor.get("/course/live/")
    assert index.status_code == 200
    assert f"/course/live/sessions/{sid}/control" in index.text
    assert '<option value="m1">' in index.text


def test_unknown_session_page_is_404(instructor: httpx.Client) -> None:
    assert instructor.get("/course/live/sessions/999999/present").status_code == 404


def test_static_files_are_served_and_nothing_outside(live_server: CourseServer) -> None:
    with live_server.anonymous() as browser:
        script = browser.get("/course/live/static/participant.js", params={"v": "1"})
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert script.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in script.headers["cache-control"]
        assert browser.get("/course/live/static/../pages.py").status_code == 404
        assert browser.get("/course/live/static/%2e%2e/pages.py").status_code in (403, 404)


def test_scripts_never_insert_html() -> None:
    for script in STATIC.glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{script.name} uses {sink}"


def test_announce_prints_three_urls_and_a_terminal_qr() -> None:
    server = SimpleNamespace(
        connection_url="http://10.0.0.5:8888/",
        identity_provider=SimpleNamespace(token="abc123"),
        ip="10.0.0.5",
    )
    out = io.StringIO()
    urls = pages.announce(server, out)
    assert urls == {
        "learners": "http://10.0.0.5:8888/lab",
        "instructor": "http://10.0.0.5:8888/course/live/?token=abc123",
        "join": "http://10.0.0.5:8888/course/live/join",
    }
    text = out.getvalue()
    for url in urls.values():
        assert url in text
    qr_lines = [line for line in text.splitlines() if "█" in line or "▀" in line]
    assert len(qr_lines) > 10


def test_announce_sends_learners_to_the_sign_in_page_of_a_course_identity_server() -> None:
    from course.identity.provider import CourseIdentityProvider

    server = SimpleNamespace(
        connection_url="http://10.0.0.5:8888/",
        identity_provider=CourseIdentityProvider(token="abc123"),
        ip="10.0.0.5",
    )
    out = io.StringIO()
    urls = pages.announce(server, out)
    assert urls["learners"] == "http://10.0.0.5:8888/course/signin"
    assert "abc123" not in urls["learners"] and "Learners sign in" in out.getvalue()


def test_announce_ends_with_the_urls_below_the_qr_code() -> None:
    server = SimpleNamespace(
        connection_url="http://127.0.0.1:8888/",
        identity_provider=SimpleNamespace(token="abc123"),
        ip="127.0.0.1",
    )
    out = io.StringIO()
    urls = pages.announce(server, out)
    last = out.getvalue().rstrip("\n").splitlines()[-3:]
    assert [line.rsplit(" ", 1)[-1] for line in last] == [
        urls["join"],
        urls["learners"],
        urls["instructor"],
    ]


def test_announce_on_all_interfaces_prints_an_address_phones_can_reach() -> None:
    server = SimpleNamespace(
        connection_url="http://some-laptop:8888/",
        identity_provider=SimpleNamespace(token=""),
        ip="0.0.0.0",
    )
    urls = pages.announce(server, io.StringIO())
    assert re.fullmatch(r"http://\d+\.\d+\.\d+\.\d+:8888/course/live/join", urls["join"])
    assert urls["instructor"].endswith(":8888/course/live/")  # no token: none to print
