"""Fixtures for the learner API: an isolated learner, a course folder, real kernels, a real
events server on loopback that can be switched down and up."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingUnixStreamServer
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from course.learn import checkmode
from course.learn.events import unix_url

FILES = Path(__file__).parent / "files"
MINI = Path(__file__).parent.parent / "plan" / "files" / "mini"
RunCells = Callable[[list[str], Path], list[str]]


@pytest.fixture
def learner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A learner 'ada' whose data folder is empty and private to the test."""
    data = tmp_path / "learner-data"
    monkeypatch.setenv("COURSE_LEARNER_DATA", str(data))
    monkeypatch.setenv("COURSE_LEARNER", "ada")
    for name in ("COURSE_EVENTS_URL", "COURSE_EVENTS_TOKEN", checkmode.VARIABLE):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture(scope="module")
def module_course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Like ``course_dir`` for a whole test module: one kernel run, many assertions on it."""
    root = tmp_path_factory.mktemp("learn")
    course = root / "mini"
    shutil.copytree(MINI, course)
    for name in ("quizzes.yml", "bad-quizzes.yml"):
        shutil.copy(FILES / name, course / name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_LEARNER_DATA", str(root / "learner-data"))
        patch.setenv("COURSE_LEARNER", "ada")
        for name in ("COURSE_EVENTS_URL", "COURSE_EVENTS_TOKEN", checkmode.VARIABLE):
            patch.delenv(name, raising=False)
        patch.chdir(course)
        yield course


@pytest.fixture
def course_dir(mini_course: Path, learner: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The mini course (modules a and b) with quiz files, as the working directory."""
    for name in ("quizzes.yml", "bad-quizzes.yml"):
        shutil.copy(FILES / name, mini_course / name)
    monkeypatch.chdir(mini_course)
    return mini_course


@pytest.fixture(scope="session")
def run_cells() -> RunCells:
    """Run code cells in a fresh python3 kernel (see ``execute_cells``)."""
    return execute_cells


def execute_cells(cells: list[str], path: Path) -> list[str]:
    """Execute code cells in a fresh python3 kernel in ``path``; each cell's outputs as text.

    Errors stay in the outputs (as 'ERROR Name: value') so a test can assert on them.
    """
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path)}},
    )
    client.execute()
    return [_text(cell.outputs) for cell in nb.cells]


def _text(outputs: list[Any]) -> str:
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"ERROR {output.ename}: {output.evalue}")
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
            parts.extend(f"MIME {mime}" for mime in output.get("data", {}))
    return "\n".join(parts)


class EventsServer:
    """A real HTTP server on 127.0.0.1 that records every POSTed batch.

    ``failing`` makes it answer 503; ``stop()`` closes the port; ``start()`` reopens it.
    """

    def __init__(self, socket_path: Path | None = None) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.headers: list[dict[str, str]] = []
        self.failing = False
        self.port = 0
        self.socket_path = socket_path  # listen on this Unix socket instead of TCP
        self._server: ThreadingHTTPServer | ThreadingUnixStreamServer | None = None

    @property
    def url(self) -> str:
        if self.socket_path:
            return unix_url(self.socket_path, "/course/api/events")
        return f"http://127.0.0.1:{self.port}/course/api/events"

    @property
    def ids(self) -> list[str]:
        return [event["id"] for batch in self.batches for event in batch]

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if owner.failing:
                    self.send_response(503)
                else:
                    owner.batches.append(json.loads(body))
                    owner.headers.append(dict(self.headers))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        if self.socket_path:
            self.socket_path.unlink(missing_ok=True)
            self._server = ThreadingUnixStreamServer(str(self.socket_path), Handler)
        else:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
            self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def events_server() -> Iterator[EventsServer]:
    server = EventsServer()
    server.start()
    yield server
    server.stop()
