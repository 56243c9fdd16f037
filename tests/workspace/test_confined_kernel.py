"""A learner's kernel, attacked from inside: it reads and writes only its own workspace,
has no network, and stays within its memory, CPU-time and process limits."""

from __future__ import annotations

import os
import socket
import time

import psutil
import pytest

from course.sandbox import Limits, landlock_abi

pytestmark = pytest.mark.slow


def test_the_kernel_works_in_its_own_workspace(start_kernel) -> None:
    kernel = start_kernel("ada")
    reply = kernel.run(
        "import os, pandas, course.learn\n"
        "print(open('notes.txt').read())\n"
        "open('mine.txt', 'w').write('written')\n"
        "print(os.getcwd(), os.environ['COURSE_LEARNER'], os.environ['HOME'])"
    )
    assert reply.error is None, reply.evalue
    workspace = kernel.workspace
    assert reply.stdout.splitlines() == [
        "ada's notes",
        f"{workspace} ada {workspace / '.course' / 'home'}",
    ]
    assert (workspace / "mine.txt").read_text() == "written"


@pytest.mark.parametrize("target", ["gradebook", "source", "other workspace"])
def test_the_kernel_cannot_read_what_is_not_its_own(start_kernel, campus, target) -> None:
    path = {
        "gradebook": campus.gradebook,
        "source": campus.source,
        "other workspace": campus.workspace("grace") / "notes.txt",
    }[target]
    reply = start_kernel("ada").run(f"open({str(path)!r}).read()")
    assert reply.error == "PermissionError", reply


def test_the_kernel_cannot_list_or_write_outside(start_kernel, campus) -> None:
    kernel = start_kernel("ada")
    listing = kernel.run(f"import os; os.listdir({str(campus.workspace('grace'))!r})")
    assert listing.error == "PermissionError"
    planted = kernel.run(f"open({str(campus.root / 'exercises' / 'x.py')!r}, 'w')")
    assert planted.error == "PermissionError"
    assert not (campus.root / "exercises" / "x.py").exists()


def test_a_symlink_out_of_the_workspace_leads_nowhere(start_kernel, campus) -> None:
    kernel = start_kernel("ada")
    reply = kernel.run(f"import os; os.symlink({str(campus.gradebook)!r}, 'g'); open('g').read()")
    assert reply.error == "PermissionError"


def test_tcp_connect_is_refused_even_to_a_listening_loopback_port(start_kernel) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        reply = start_kernel("ada").run(
            f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5)"
        )
    assert reply.error == "PermissionError", reply


def test_there_is_no_network_for_udp_either(start_kernel) -> None:
    reply = start_kernel("ada").run(
        "import socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.sendto(b'x', ('127.0.0.1', 53))"
    )
    assert reply.error == "OSError" and "unreachable" in reply.evalue


def test_the_server_environment_does_not_reach_the_kernel(
    start_kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-secret")
    kernel = start_kernel("ada", env={**os.environ})
    reply = kernel.run("import os; print(sorted(k for k in os.environ if 'TOKEN' in k))")
    assert reply.error is None and reply.stdout.strip() == "[]"


def test_the_kernel_cannot_read_another_kernels_connection_file(start_kernel) -> None:
    grace = start_kernel("grace")
    reply = start_kernel("ada").run(f"open({grace.manager.connection_file!r}).read()")
    assert reply.error == "PermissionError"


def test_every_layer_is_applied_on_this_host(start_kernel) -> None:
    kernel = start_kernel("ada")
    assert kernel.run("1").error is None
    applied = kernel.provisioner.applied()
    expected = {"network-namespace", "rlimits", f"landlock-abi{landlock_abi()}"}
    if os.geteuid() == 0:
        expected |= {"pids-cgroup", "no-capabilities"}
    assert expected <= set(applied["applied"]) and applied["missing"] == []


def test_a_working_directory_outside_the_workspace_is_refused(start_kernel, campus) -> None:
    with pytest.raises(PermissionError, match="outside"):
        start_kernel("ada", cwd=str(campus.root / "exercises"))


def test_memory_beyond_the_limit_is_a_memory_error(start_kernel) -> None:
    kernel = start_kernel("ada", limits=Limits(memory_bytes=1 << 30))
    reply = kernel.run("x = bytearray(1 << 31)")
    assert reply.error == "MemoryError"
    assert kernel.run("print('still alive')").stdout.strip() == "still alive"


@pytest.mark.skipif(os.geteuid() != 0, reason="RLIMIT_NPROC counts the user's other processes")
def test_processes_beyond_the_limit_cannot_start_and_none_outlive_the_kernel(
    start_kernel,
) -> None:
    kernel = start_kernel("ada", limits=Limits(processes=40))
    reply = kernel.run(
        "import subprocess\n"
        "children = []\n"
        "try:\n"
        "    for _ in range(100):\n"
        "        children.append(subprocess.Popen(['sleep', '300'], start_new_session=True))\n"
        "finally:\n"
        "    print(len(children))"
    )
    assert reply.error in ("BlockingIOError", "OSError"), reply
    started = int(reply.stdout)
    assert 0 < started < 40
    cgroup = kernel.provisioner.cgroup
    kernel.manager.shutdown_kernel(now=True)
    sleepers = [
        p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "300"]
    ]
    assert sleepers == [] and not cgroup.exists()


def test_cpu_time_beyond_the_limit_ends_the_kernel(start_kernel) -> None:
    kernel = start_kernel("ada", limits=Limits(cpu_seconds=2))
    client = kernel.manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    client.execute("while True: pass")
    deadline = time.monotonic() + 30
    while kernel.manager.is_alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    client.stop_channels()
    assert not kernel.manager.is_alive()


def test_a_restarted_kernel_is_confined_again(start_kernel, campus) -> None:
    kernel = start_kernel("ada")
    assert kernel.run("1").error is None
    kernel.manager.restart_kernel(now=True)
    assert kernel.run(f"open({str(campus.gradebook)!r})").error == "PermissionError"


def test_the_kernel_sees_only_its_own_processes_in_proc(start_kernel) -> None:
    kernel = start_kernel("ada")
    own = kernel.run("print(open('/proc/self/status').read().splitlines()[0])")
    assert own.error is None and own.stdout.startswith("Name:")
    server = kernel.run(f"open('/proc/{os.getpid()}/cmdline').read()")
    assert server.error == "PermissionError"
    listing = kernel.run("import os; os.listdir('/proc')")
    assert listing.error == "PermissionError"


def test_the_kernel_cannot_signal_processes_outside_it(start_kernel) -> None:
    reply = start_kernel("ada").run(f"import os; os.kill({os.getpid()}, 0)")
    assert reply.error == "PermissionError"


def test_pandas_and_matplotlib_work_confined(start_kernel) -> None:
    reply = start_kernel("ada").run(
        "import pandas as pd, matplotlib.pyplot as plt\n"
        "frame = pd.DataFrame({'a': [1, 2, 3]})\n"
        "plt.plot(frame['a']); plt.savefig('chart.png')\n"
        "print(frame['a'].sum())"
    )
    assert reply.error is None, reply.evalue
    assert reply.stdout.strip() == "6"
