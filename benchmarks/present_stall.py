"""The Voila render stall of issue 6: many renders of an app under CPU load, and its proof.

Starts the kit's Voila (``course.present.voila_app``) on loopback for one app,
optionally starts busy loops to load the CPUs, then renders the page again and
again from a few concurrent visitors. Each render has a deadline on the whole body
(Voila streams heartbeats while it waits, so a read timeout never fires); a render
past it counts as a stall and its partial page is saved next to the Voila log.

The stall was a kernel reply stranded in Voila's shell socket: nbclient waits for
``execute_reply`` while its Output-widget mimic sends ``comm_msg`` on the same socket
through jupyter_client's raw (non-asyncio) send, which clears the socket's
edge-triggered wake-up when the reply has just landed (see
``course.present.kernel_client``). Natural load makes that window rare; ``--widen``
holds the Voila process for a moment before each Output-widget send, as a loaded
machine does, so every render hits it. ``--unfixed`` runs Voila's default kernel
client (before the fix): with ``--widen 0.05`` every render stalls at the widget cell,
without it none does.

With ``--trace`` the Voila process logs every kernel message it sends or receives
(channel, type, msg_id, parent, execution state) to ``trace.log``: a stalled render
shows the kernel's ``status: idle`` for the cell on IOPub but no ``execute_reply``.

    .venv/bin/python benchmarks/present_stall.py [--renders 60] [--visitors 3]
        [--burners 4] [--pool 0] [--deadline 90] [--trace [--widen 0.05]] [--unfixed]
        [--notebook notebooks/apps/01-functions.ipynb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from course.plan import load_course
from course.present import PresentOptions, voila_command
from course.present.process import running_voila

REPO = Path(__file__).resolve().parents[1]

TRACER = """
import logging, sys, time, os
import zmq
from jupyter_client import channels

log = open(os.environ["PRESENT_STALL_TRACE"], "a", buffering=1)
NAMES = {zmq.DEALER: "shell", zmq.SUB: "iopub"}

def _line(direction, channel, msg):
    header, parent = msg.get("header", {}), msg.get("parent_header", {})
    state = msg.get("content", {}).get("execution_state", "")
    log.write(
        f"{time.monotonic():.3f} {direction} {channel} {header.get('msg_type')} "
        f"{header.get('msg_id', '')[-12:]} parent={parent.get('msg_id', '')[-12:]} {state}\\n"
    )

_recv = channels.AsyncZMQSocketChannel._recv
async def traced_recv(self, **kwargs):
    msg = await _recv(self, **kwargs)
    _line("<-", NAMES.get(self.socket.socket_type, "?") + f"[{type(self).__name__}]", msg)
    return msg
channels.AsyncZMQSocketChannel._recv = traced_recv

from jupyter_client.session import Session
_session_send = Session.send
def traced_session_send(self, stream, msg_or_type, *args, **kwargs):
    msg = _session_send(self, stream, msg_or_type, *args, **kwargs)
    kind = getattr(stream, "socket_type", None)
    if msg and kind is not None:
        _line("->", NAMES.get(kind, "?"), msg)
    return msg
Session.send = traced_session_send

WIDEN = float(os.environ.get("PRESENT_STALL_WIDEN", "0"))
if WIDEN:
    # Stand-in for a loaded machine: the Voila process loses the CPU between its event
    # loop's select() and the Output widget's send, so the kernel's reply lands meanwhile.
    from nbclient import output_widget
    _publish = output_widget.OutputWidget._publish_msg
    def slow_publish(self, *args, **kwargs):
        time.sleep(WIDEN)
        return _publish(self, *args, **kwargs)
    output_widget.OutputWidget._publish_msg = slow_publish

from course.present.voila_app import main
sys.argv = ["course-present", *sys.argv[1:]]
main()
"""


def burn(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` processes spinning a CPU each (stopped by the caller)."""
    return [
        subprocess.Popen([sys.executable, "-c", "while 1: pass"], start_new_session=True)
        for _ in range(count)
    ]


def render(url: str, deadline: float) -> tuple[float, bytes, bool]:
    """(seconds, body, stalled) for one visitor; a stall is a body unfinished at the deadline."""
    start = time.monotonic()
    chunks = []
    with httpx.stream("GET", url, timeout=60) as reply:
        for chunk in reply.iter_bytes():
            chunks.append(chunk)
            if time.monotonic() - start > deadline:
                return time.monotonic() - start, b"".join(chunks), True
    return time.monotonic() - start, b"".join(chunks), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=60)
    parser.add_argument("--visitors", type=int, default=3, help="concurrent renders")
    parser.add_argument("--burners", type=int, default=4, help="busy-loop processes")
    parser.add_argument("--pool", type=int, default=0, help="preheated kernels (0: none)")
    parser.add_argument("--deadline", type=float, default=90.0)
    parser.add_argument("--trace", action="store_true", help="log every kernel message")
    parser.add_argument(
        "--widen",
        type=float,
        default=0.0,
        help="seconds the Voila process sleeps before each Output-widget send (needs --trace)",
    )
    parser.add_argument(
        "--unfixed", action="store_true", help="Voila's default kernel client (before the fix)"
    )
    parser.add_argument("--notebook", default="notebooks/apps/01-functions.ipynb")
    parser.add_argument("--out", type=Path, default=None, help="folder for logs")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="present-stall-"))
    out.mkdir(parents=True, exist_ok=True)
    course = load_course(REPO)
    port = _free_port()
    options = PresentOptions(port=port, open_browser=False, pool=args.pool, max_kernels=0)
    command = voila_command(course, args.notebook, options)
    if args.trace:
        tracer = out / "traced_voila.py"
        tracer.write_text(TRACER)
        os.environ["PRESENT_STALL_TRACE"] = str(out / "trace.log")
        os.environ["PRESENT_STALL_WIDEN"] = str(args.widen)
        command = [command[0], str(tracer), *command[3:]]
    if args.unfixed:
        command.append("--KernelManager.client_class=jupyter_client.asynchronous.AsyncKernelClient")
    url = f"http://127.0.0.1:{port}/"
    burners = burn(args.burners)
    results: list[tuple[float, bool]] = []
    lock = threading.Lock()
    todo = iter(range(args.renders))

    def visitor() -> None:
        while True:
            with lock:
                number = next(todo, None)
            if number is None:
                return
            seconds, body, stalled = render(url, args.deadline)
            with lock:
                results.append((seconds, stalled))
                done = len(results)
            if stalled:
                (out / f"stall-{number}.html").write_bytes(body)
            load = os.getloadavg()[0]
            mark = "STALL" if stalled else "ok"
            print(f"{done:4d} {mark:5s} {seconds:6.1f} s  load {load:.1f}", flush=True)

    try:
        with running_voila(command, url, log=out / "voila.log", warm=args.pool, timeout=300):
            threads = [threading.Thread(target=visitor) for _ in range(args.visitors)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for process in burners:
            process.kill()
            process.wait()
    stalls = sum(stalled for _, stalled in results)
    times = sorted(seconds for seconds, stalled in results if not stalled)
    median = times[len(times) // 2] if times else float("nan")
    print(
        f"{len(results)} renders, {stalls} stalls, median {median:.1f} s, "
        f"load average {os.getloadavg()}, logs in {out}"
    )
    sys.exit(1 if stalls else 0)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
