"""``course present --ip`` serves a room: it binds that address, prints the URL people
open, and warns in plain words when the address is not this machine only."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from course.present.address import AddressError, checked_ip, exposure, outward_address
from course.testing import CourseCommand, free_port
from course.testing.voila import render

APP = "notebooks/apps/01-functions.ipynb"


def _refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return True
    return False


@pytest.mark.slow
def test_a_loopback_address_is_bound_alone_and_no_warning_is_printed(sample_course: Path) -> None:
    port = free_port()
    args = ("present", APP, "--no-browser", "--port", str(port), "--ip", "127.0.0.2")
    with CourseCommand(sample_course, *args, "--pool", "1") as command:
        command.wait_for("The app:")
        page = render(f"http://127.0.0.2:{port}/")
        assert page.status_code == 200 and "jp-OutputArea" in page.text
        assert _refused("127.0.0.1", port)  # that address only, not every interface
        stdout, stderr = command.stdout, command.stderr
    assert [line for line in stdout.splitlines() if line.strip()][-1] == (
        f"  The app: http://127.0.0.2:{port}/"
    )
    assert stderr == ""


@pytest.mark.slow
def test_every_interface_serves_the_room_with_a_warning_and_the_rooms_url(
    sample_course: Path,
) -> None:
    port, here = free_port(), outward_address()
    args = ("present", APP, "--no-browser", "--port", str(port), "--ip", "0.0.0.0")
    with CourseCommand(sample_course, *args, "--pool", "1") as command:
        command.wait_for("The app:")
        url = f"http://{here}:{port}/"
        page = render(url)  # as a phone on the room's network opens it
        assert page.status_code == 200 and "application/vnd.jupyter.widget-view+json" in page.text
        # Nothing else of a server: every other route ends on Voila's 403.
        with httpx.Client(base_url=url, timeout=10, follow_redirects=True) as phone:
            for path in (
                "api/contents",
                "api/kernels",
                "api/sessions",
                "api/terminals",
                "tree",
                "files/course.yml",
                "voila/files/course.yml",
                f"voila/render/{APP}",
                "course/present/status",
            ):
                assert phone.get(path).status_code == 403, path
        stdout, stderr = command.stdout, command.stderr
    assert [line for line in stdout.splitlines() if line.strip()][-1] == f"  The app: {url}"
    assert "Warning: The app will be open to anyone" in stderr and "without a login" in stderr


def test_addresses_are_checked_and_only_loopback_goes_unwarned() -> None:
    assert checked_ip("localhost") == "127.0.0.1" and checked_ip("[::1]") == "::1"
    assert exposure("127.0.0.1") is None and exposure("::1") is None
    assert "192.0.2.7" in (exposure("192.0.2.7") or "")
    with pytest.raises(AddressError, match="--ip 'room-pc': not an IP address"):
        checked_ip("room-pc")


def test_a_wrong_address_is_a_clear_error(sample_course: Path) -> None:
    command = CourseCommand(sample_course, "present", APP, "--no-browser", "--ip", "10.0.0.300")
    assert command.run(timeout=60) != 0
    assert "--ip '10.0.0.300': not an IP address" in command.output()
