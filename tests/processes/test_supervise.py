"""``course.processes.supervise`` on a stubborn tree: what no well-behaved server would do.

The supervisor runs in a process of its own (it takes over the stop signals);
its child ignores SIGTERM and starts a grandchild in a session of its own that
ignores it too, as a kernel is started by jupyter_client.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from traitlets.config import Application

from course.processes import errors_on_stdout

STUBBORN = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ignore = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    subprocess.Popen([sys.executable, "-c", ignore], start_new_session=True)
    print("started", flush=True)
    time.sleep(600)
    """
)


def supervisor(tmp_path: Path, child: str, grace: float = 2.0) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(child)
    code = (
        "import sys; from pathlib import Path; from course.processes import supervise; "
        f"supervise([sys.executable, {str(script)!r}], log=Path({str(tmp_path / 'x.log')!r}), "
        f"name='stub server', grace={grace})"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_tree_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    process = supervisor(tmp_path, STUBBORN)
    assert process.stdout is not None and process.stdout.readline() == "started\n"
    time.sleep(0.5)  # the grandchild is started before the print, but let it settle
    tree = psutil.Process(process.pid).children(recursive=True)
    started = time.monotonic()

    process.send_signal(signal.SIGTERM)
    code = process.wait(15)

    assert len(tree) == 2
    assert 2 <= time.monotonic() - started < 10
    assert [p.pid for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert code == 0


def test_a_second_signal_does_not_wait_for_the_grace_period(tmp_path: Path) -> None:
    process = supervisor(tmp_path, STUBBORN, grace=30)
    assert process.stdout is not None and process.stdout.readline() == "started\n"
    started = time.monotonic()

    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    process.wait(15)

    assert time.monotonic() - started < 10


def test_a_server_that_fails_is_an_error_with_the_end_of_its_log(tmp_path: Path) -> None:
    failing = "import sys; print('cannot listen on 10.255.255.1', file=sys.stderr); sys.exit(3)"
    process = supervisor(tmp_path, failing)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 1
    assert "ProcessFailed: the stub server stopped with exit code 3; the end of its log" in stderr
    assert stderr.rstrip().endswith("cannot listen on 10.255.255.1")


def test_errors_on_stdout_gives_the_terminal_errors_and_nothing_else(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Server(Application):
        """A traitlets application, as Jupyter Server and Voila are."""

    app = Server(log_level="INFO", logging_config=errors_on_stdout("Server"))
    app.log.info("Serving notebooks from local directory")
    app.log.warning("No nbgrader_config.py file found")
    app.log.error("Uncaught exception GET /lab")
    app.log.critical("received signal 15, stopping")
    captured = capsys.readouterr()

    (line,) = captured.out.splitlines()
    assert "Uncaught exception GET /lab" in line
    assert "No nbgrader_config.py" in captured.err and "received signal" in captured.err
