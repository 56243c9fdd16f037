"""``course serve`` and a plain ``jupyter lab`` in the course folder are the same server.

Both started for real, one after the other in the same copy of the sample course,
with every installed extension, from the same environment (Jupyter's own folders
pointed into the test's folder, one token). Each server reports what it applied, read
back from the objects that use each setting (``GET /course/api/server/settings``):
they must agree, and each must hold every setting of ``course_config``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from course.live.server_config import course_config
from course.plan import Course, load_course
from course.testing import free_port
from tests.sample import copy_sample_course

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
TOKEN = "settings-test-token"
SETTINGS = "/course/api/server/settings"


class Started:
    """One server process of the test, known by its port."""

    def __init__(self, command: list[str], course: Path, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "JUPYTER"))}
        jupyter = course.parent / "jupyter"
        env |= {
            "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
            "JUPYTER_DATA_DIR": str(jupyter / "data"),
            "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
            "JUPYTER_TOKEN": TOKEN,
        }
        argv = [arg.replace("PORT", str(self.port)) for arg in command]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                argv, cwd=course, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"token {token}"} if token else {}
        return httpx.Client(base_url=f"http://127.0.0.1:{self.port}", headers=headers, timeout=60)

    def settings(self, timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                with self.client() as client:
                    reply = client.get(SETTINGS)
                if reply.status_code == 200:
                    return dict(reply.json())
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"no settings in {timeout} s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return load_course(copy_sample_course(tmp_path_factory.mktemp("settings") / "course"))


def applied_by(command: list[str], course: Course, name: str) -> dict[str, Any]:
    server = Started(command, course.root, course.root.parent / f"{name}.log")
    try:
        return server.settings()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def served(course: Course) -> dict[str, Any]:
    """``course serve``, as the instructor types it in the course folder."""
    return applied_by(
        [str(BIN / "course"), "serve", "--no-browser", "--port", "PORT"], course, "serve"
    )


@pytest.fixture(scope="module")
def plain_lab(course: Course) -> dict[str, Any]:
    """``jupyter lab`` as Binder starts it in the repository: nothing of the kit's."""
    root = ["--allow-root"] if os.geteuid() == 0 else []
    command = [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", "--port=PORT", *root]
    return applied_by(command, course, "lab")


def as_applied(value: Any) -> Any:
    """A configured value as ``course.live.server_settings`` reports the applied one."""
    if callable(value):
        return f"{value.__module__}.{value.__qualname__}"
    return value


def test_course_serve_and_a_plain_jupyter_lab_apply_the_same_settings(
    served: dict[str, Any], plain_lab: dict[str, Any]
) -> None:
    differing = {
        key: (served.get(key), plain_lab.get(key))
        for key in served.keys() | plain_lab.keys()
        if served.get(key) != plain_lab.get(key)
    }
    assert not differing, differing


def test_each_server_applied_every_course_setting(
    course: Course, served: dict[str, Any], plain_lab: dict[str, Any]
) -> None:
    for section, traits in course_config(course).items():
        for name, value in traits.items():
            key = f"{section}.{name}"
            for applied in (served, plain_lab):
                assert key in applied, f"{key} is not read back by server_settings"
                assert applied[key] == as_applied(value), (key, applied[key], value)
    assert served["ServerApp.root_dir"] == str(course.root)
    assert served["SQLiteYStore.db_path"] == str(course.data_path / "jupyter_ystore.db")
    assert served["KernelManager.client_factory"].endswith("CourseKernelClient")


def test_an_explicit_setting_wins_and_only_instructors_read_them(course: Course) -> None:
    """``jupyter server`` given one of the course's settings on its command line keeps it."""
    root = ["--allow-root"] if os.geteuid() == 0 else []
    server = Started(
        [
            str(BIN / "jupyter"),
            "server",
            "--ip=127.0.0.1",
            "--port=PORT",
            "--ContentsManager.hide_globs=['*.secret']",
            *root,
        ],
        course.root,
        course.root.parent / "explicit.log",
    )
    try:
        applied = server.settings()
        with server.client(token=None) as anonymous, server.client("wrong") as wrong:
            assert anonymous.get(SETTINGS).status_code == 403
            assert wrong.get(SETTINGS).status_code == 403
    finally:
        server.stop()
    assert applied["ContentsManager.hide_globs"] == ["*.secret"]
    assert applied["BaseFileIdManager.db_path"] == str(course.data_path / "file_id_manager.db")
