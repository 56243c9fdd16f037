"""``CourseLiveApp.public_url`` / ``course serve --public-url``: the address phones reach
replaces the browser's Host in the join URL and QR code, and the printed URLs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from traitlets import TraitError

from course.cli.serve import serve as serve_command
from course.live import pages, server_argv
from course.live.app import normalise_public_url
from course.plan import load_course
from course.testing import CourseServer
from tests.sample import copy_sample_course

PUBLIC = "https://class.example.org/jupyter/"


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    course = copy_sample_course(tmp_path_factory.mktemp("public") / "course")
    server = CourseServer(course, public_url="https://class.example.org/jupyter")
    server.start()
    yield server
    server.stop()


def test_presenter_and_control_pages_show_the_public_join_url(public_server) -> None:
    with public_server.instructor() as instructor:
        session = instructor.post("/course/api/live/sessions", json={"module": "m1"}).json()
        code, sid = session["join_code"], session["id"]
        present = instructor.get(f"/course/live/sessions/{sid}/present").text
        control = instructor.get(f"/course/live/sessions/{sid}/control").text
    join = f"{PUBLIC}course/live/join?code={code}"
    assert "https://class.example.org<wbr>/jupyter/course/live/join" in present
    assert "127.0.0.1" not in present and join in control
    expected_qr = pages.qr_svg(join)
    assert expected_qr in present


def test_announce_uses_the_public_url_for_learners_and_join() -> None:
    server = SimpleNamespace(
        connection_url="http://127.0.0.1:8888/",
        identity_provider=SimpleNamespace(token="abc123"),
        ip="127.0.0.1",
    )
    out = io.StringIO()
    urls = pages.announce(server, out, public_url=PUBLIC)
    assert urls == {
        "learners": f"{PUBLIC}lab",
        "instructor": "http://127.0.0.1:8888/course/live/?token=abc123",
        "join": f"{PUBLIC}course/live/join",
    }
    assert "loopback only" not in out.getvalue()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", ""),
        ("http://192.168.1.20:8888", "http://192.168.1.20:8888/"),
        (PUBLIC, PUBLIC),
    ],
)
def test_public_urls_are_normalised(given: str, expected: str) -> None:
    assert normalise_public_url(given) == expected


@pytest.mark.parametrize("bad", ["192.168.1.20:8888", "ftp://x/", "http://", "http://x/?a=1"])
def test_bad_public_urls_are_refused(bad: str) -> None:
    with pytest.raises(TraitError, match="public_url"):
        normalise_public_url(bad)


def test_serve_passes_the_public_url_to_the_server(tmp_path) -> None:
    course = load_course(copy_sample_course(tmp_path / "course"))
    argv = server_argv(course, port=1, ip="0.0.0.0", open_browser=False, public_url=PUBLIC)
    assert f"--CourseLiveApp.public_url={PUBLIC}" in argv
    plain = server_argv(course, port=1, ip="0.0.0.0", open_browser=False)
    assert not any("public_url" in arg for arg in plain)
    result = CliRunner().invoke(serve_command, ["--public-url", "nonsense"])
    assert result.exit_code == 2 and "--public-url" in result.output
