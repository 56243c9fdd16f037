"""Benchmark: N participants join a live session, hold websockets and answer one poll.

    .venv/bin/python benchmarks/live.py [--participants 1000] [--window 10] [--concurrency 50]

Copies the sample course into a temporary folder and starts one real Jupyter server with
the ``course`` extension on loopback (a subprocess, default settings: no rate limit is
raised). Then:

1. N participants join over HTTP (``POST live/join``, at most ``--concurrency`` at once;
   a 429 is retried after its ``Retry-After`` and counted);
2. each opens its participant websocket, the presenter opens the presenter websocket;
3. the instructor opens a poll; every participant answers once at a random moment within
   ``--window`` seconds (``PUT …/me/answers/P``);
4. latency of an answer = from sending it to the first presenter ``poll`` frame received
   after its reply came back (conservative: a frame computed between the commit and the
   reply is not credited, so this over-estimates by at most one push).

Prints answers stored (from the server's results) vs sent, latency p50/p95/p99 and the
server's peak memory (RSS sampled every 50 ms with psutil). Targets: every answer stored,
p95 < 200 ms, server < 500 MB. Loopback only; every wait is bounded; it stops its server.
Exit status 0 when every target holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import shutil
import ssl
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets

from course.testing import CourseServer, copy_course
from course.testing.loop_lag import LoopLag

REPO = Path(__file__).resolve().parent.parent

TARGET_P95_MS = 200.0
TARGET_MB = 500.0
POLL_KEY = "m1-types"
STALL_SECONDS = 0.5


@dataclass
class Participant:
    number: int
    client: httpx.AsyncClient
    cookie: str = ""
    socket: Any = None
    frames: int = 0


@dataclass
class Presenter:
    frames: list[tuple[float, int]] = field(default_factory=list)  # (time, answers) per frame
    poll_id: int = 0


@dataclass
class Result:
    participants: int
    joined: int
    join_seconds: float
    join_retries: int
    sockets: int
    sent: int
    accepted: int
    stored: int
    refused: dict[str, int]
    latencies_ms: list[float]
    reply_ms: list[float]
    presenter_frames: int
    unmatched: int
    server_peak_mb: float
    server_cpu_s: float
    server_answer_cpu_s: float
    client_answer_cpu_s: float
    answer_seconds: float
    client_lag_ms: tuple[float, float] = (0.0, 0.0)

    def percentile(self, share: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies_ms if values is None else values)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def ok(self) -> bool:
        return (
            self.stored == self.sent == self.participants
            and self.unmatched == 0
            and self.percentile(0.95) < TARGET_P95_MS
            and self.server_peak_mb < TARGET_MB
        )

    def report(self) -> str:
        p50, p95, p99 = (self.percentile(s) for s in (0.5, 0.95, 0.99))
        check = {True: "ok", False: "FAILED"}
        refused = ", ".join(f"{k}: {v}" for k, v in sorted(self.refused.items())) or "none"
        return "\n".join(
            [
                f"participants        {self.participants}",
                f"joined              {self.joined} in {self.join_seconds:.1f} s "
                f"({self.join_retries} retries after 429)",
                f"participant sockets {self.sockets} open",
                f"answers sent        {self.sent} in {self.answer_seconds:.1f} s "
                f"(accepted {self.accepted}; refused {refused})",
                f"answers stored      {self.stored}  "
                f"[{check[self.stored == self.sent == self.participants]}]",
                f"answer → presenter  p50 {p50:.0f} ms · p95 {p95:.0f} ms · p99 {p99:.0f} ms "
                f"(max {max(self.latencies_ms, default=0):.0f} ms; {self.unmatched} never seen)"
                f"  [{check[p95 < TARGET_P95_MS and self.unmatched == 0]}: p95 < "
                f"{TARGET_P95_MS:.0f} ms]",
                f"answer HTTP reply   p50 {self.percentile(0.5, self.reply_ms):.0f} ms · "
                f"p95 {self.percentile(0.95, self.reply_ms):.0f} ms; "
                f"{self.presenter_frames} presenter poll frames",
                f"server peak memory  {self.server_peak_mb:.0f} MB  "
                f"[{check[self.server_peak_mb < TARGET_MB]}: < {TARGET_MB:.0f} MB]",
                f"CPU                 server {self.server_cpu_s:.1f} s in all, "
                f"{self.server_answer_cpu_s:.1f} s while answering; "
                f"benchmark client {self.client_answer_cpu_s:.1f} s while answering",
                f"client event loop late by p95 {self.client_lag_ms[0]:.0f} ms, "
                f"max {self.client_lag_ms[1]:.0f} ms while answering (time the client, "
                "not the server, adds to every latency above)",
            ]
        )


class Memory:
    """Peak RSS of a process, sampled in the background."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.process, self.every, self.peak = psutil.Process(pid), every, 0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> float:
        if self._task:
            self._task.cancel()
        return self.peak / 2**20


async def join(
    person: Participant, code: str, sid: int, gate: asyncio.Semaphore, deadline: float
) -> int:
    """Join with retries after 429; returns the number of retries."""
    retries = 0
    async with gate:
        while time.monotonic() < deadline:
            reply = await person.client.post(
                "/course/api/live/join", json={"code": code, "name": f"P{person.number:04d}"}
            )
            if reply.status_code == 201:
                person.cookie = f"course-live-{sid}={reply.cookies[f'course-live-{sid}']}"
                person.client.cookies.clear()
                return retries
            if reply.status_code != 429:
                raise RuntimeError(f"join: {reply.status_code} {reply.text[:200]}")
            retries += 1
            await asyncio.sleep(float(reply.headers.get("Retry-After", "1")))
    raise TimeoutError("join: deadline passed")


async def hold_socket(person: Participant, url: str, gate: asyncio.Semaphore) -> None:
    async with gate:
        person.socket = await websockets.connect(
            url, additional_headers={"Cookie": person.cookie}, open_timeout=30, max_size=2**22
        )
        await asyncio.wait_for(person.socket.recv(), 30)  # the state frame


async def drain(person: Participant) -> None:
    """Read the participant's frames (as a browser would), so the server never blocks."""
    try:
        async for _ in person.socket:
            person.frames += 1
    except websockets.ConnectionClosed:
        pass


async def watch(socket: Any, presenter: Presenter) -> None:
    async for text in socket:
        message = json.loads(text)
        if message.get("type") == "poll" and message["poll"]["id"] == presenter.poll_id:
            results = message["poll"].get("results") or {}
            presenter.frames.append((time.monotonic(), results.get("answers", 0)))


class Phone:
    """One participant's keep-alive HTTP/1.1 connection, spoken by hand.

    httpx costs the benchmark about 2 ms of CPU per request, more than the server spends
    on an answer; on a machine of two shared cores that CPU is taken from the server it
    measures. A phone's own CPU is not the server's, so the client should cost little:
    a request written as bytes and a reply read by its Content-Length.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def put(self, path: str, body: bytes, cookie: str) -> int:
        assert self.reader is not None and self.writer is not None
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Cookie: {cookie}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readuntil(b"\r\n")
        length = 0
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def answer(
    person: Participant, phone: Phone, path: str, delay: float, refused: dict[str, int]
) -> tuple[float, float] | None:
    """Answer after ``delay``; (sent, replied) times, or None when refused."""
    await asyncio.sleep(delay)
    body = json.dumps({"value": random.randrange(3)}).encode()
    sent = time.monotonic()
    try:
        status = await phone.put(path, body, person.cookie)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        key = type(error).__name__
        refused[key] = refused.get(key, 0) + 1
        return None
    if status != 200:
        refused[str(status)] = refused.get(str(status), 0) + 1
        return None
    return sent, time.monotonic()


def latencies(times: list[tuple[float, float]], frames: list[tuple[float, int]]) -> list[float]:
    """Send → first presenter frame received at or after the reply (ms); inf when none."""
    arrivals = sorted(t for t, _ in frames)
    out = []
    for sent, replied in times:
        i = bisect.bisect_left(arrivals, replied)
        out.append((arrivals[i] - sent) * 1000 if i < len(arrivals) else float("inf"))
    return out


async def run_async(server: CourseServer, n: int, window: float, concurrency: int) -> Result:
    memory = Memory(server.process.pid)
    memory.start()
    cpu_before = psutil.Process(server.process.pid).cpu_times()
    admin = httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"token {server.token}"}, timeout=60
    )
    session = (await admin.post("/course/api/live/sessions", json={"module": "m1"})).json()
    sid, code = session["id"], session["join_code"]
    state = (await admin.get(f"/course/api/live/sessions/{sid}")).json()
    poll_id = next(p["id"] for p in state["polls"] if p["key"] == POLL_KEY)

    # One keep-alive connection per participant, as each phone has its own. (A shared pool
    # of thousands of queued requests costs httpcore more CPU than the server spends.)
    tls = ssl.create_default_context()  # one context for all, not one load of the CA file each
    people = [
        Participant(
            i,
            httpx.AsyncClient(
                base_url=server.url,
                timeout=60,
                verify=tls,
                trust_env=False,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            ),
        )
        for i in range(n)
    ]
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()
    retries = await asyncio.gather(*(join(p, code, sid, gate, started + 300) for p in people))
    join_seconds = time.monotonic() - started

    ws_base = f"ws://127.0.0.1:{server.port}/course/api/live/sessions/{sid}"
    await asyncio.gather(*(hold_socket(p, f"{ws_base}/me/ws", gate) for p in people))
    drains = [asyncio.create_task(drain(p)) for p in people]
    presenter = Presenter(poll_id=poll_id)
    presenter_socket = await websockets.connect(
        f"{ws_base}/ws",
        additional_headers={"Authorization": f"token {server.token}"},
        max_size=2**24,
    )
    await asyncio.wait_for(presenter_socket.recv(), 30)
    watcher = asyncio.create_task(watch(presenter_socket, presenter))

    answer_cpu_before = psutil.Process(server.process.pid).cpu_times()
    client_cpu_before = psutil.Process().cpu_times()
    opened = await admin.post(f"/course/api/live/sessions/{sid}/polls/{poll_id}/open")
    opened.raise_for_status()
    await asyncio.sleep(0.5)  # the "poll opened" frames go out before the first answer
    refused: dict[str, int] = {}
    phones = [Phone(server.port) for _ in people]
    await asyncio.gather(*(phone.connect() for phone in phones))
    path = f"/course/api/live/sessions/{sid}/me/answers/{poll_id}"
    lag = LoopLag()
    lag.start()
    started = time.monotonic()
    times = await asyncio.gather(
        *(
            answer(p, phone, path, random.uniform(0, window), refused)
            for p, phone in zip(people, phones, strict=True)
        )
    )
    answer_seconds = time.monotonic() - started
    client_lag = lag.stop()
    accepted = [t for t in times if t is not None]
    await asyncio.sleep(1.0)  # the last coalesced push
    watcher.cancel()

    results = (await admin.get(f"/course/api/live/sessions/{sid}/polls/{poll_id}")).json()
    lat = latencies(accepted, presenter.frames)
    replies = sorted((r - s) * 1000 for s, r in accepted)
    cpu_after = psutil.Process(server.process.pid).cpu_times()
    client_cpu_after = psutil.Process().cpu_times()
    peak = await memory.stop()

    await presenter_socket.close()
    for person in people:
        await person.socket.close()
    for task in drains:
        task.cancel()
    for phone in phones:
        phone.close()
    for person in people:
        await person.client.aclose()
    await admin.aclose()
    return Result(
        participants=n,
        joined=sum(1 for p in people if p.cookie),
        join_seconds=join_seconds,
        join_retries=sum(retries),
        sockets=sum(1 for p in people if p.socket is not None),
        sent=len(people),
        accepted=len(accepted),
        stored=results["results"]["answers"],
        refused=refused,
        latencies_ms=[x for x in lat if x != float("inf")],
        reply_ms=replies,
        presenter_frames=len(presenter.frames),
        unmatched=sum(1 for x in lat if x == float("inf")),
        server_peak_mb=peak,
        server_cpu_s=_cpu(cpu_after) - _cpu(cpu_before),
        server_answer_cpu_s=_cpu(cpu_after) - _cpu(answer_cpu_before),
        client_answer_cpu_s=_cpu(client_cpu_after) - _cpu(client_cpu_before),
        answer_seconds=answer_seconds,
        client_lag_ms=client_lag,
    )


def _cpu(times: Any) -> float:
    return times.user + times.system


def run(
    participants: int = 1000, window: float = 10.0, concurrency: int = 50, timeout: float = 600
) -> Result:
    """Start a server on a copy of the sample course, run the benchmark, stop the server."""
    folder = Path(tempfile.mkdtemp(prefix="course-live-bench-"))
    server = CourseServer(copy_course(REPO, folder / "course"), stall_seconds=STALL_SECONDS)
    try:
        server.start()
        return asyncio.run(
            asyncio.wait_for(run_async(server, participants, window, concurrency), timeout)
        )
    finally:
        server.stop()
        print(stalls(server.log.read_text(errors="replace")))
        shutil.rmtree(folder, ignore_errors=True)


def stalls(log: str) -> str:
    """What the server's stall watch logged (``course.live.stalls``): each stall's
    length, and where its threads were when it was caught."""
    lines = log.splitlines()
    found = [i for i, line in enumerate(lines) if "event loop has not run" in line]
    ends = [line.rsplit(" after ", 1)[-1] for line in lines if "answered again after" in line]
    collections = [line for line in lines if "full garbage collection took" in line]
    if not found and not collections:
        return f"server stalls      none over {STALL_SECONDS} s (course.live.stalls)"
    report = [
        f"server stalls      {len(found)} over {STALL_SECONDS} s: {', '.join(ends) or 'none'}"
    ]
    for i in found:
        report += ["", *lines[i : i + 60]]
    return "\n".join(report + collections)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--window", type=float, default=10.0, help="seconds to answer in")
    parser.add_argument("--concurrency", type=int, default=50, help="joins in flight at once")
    parser.add_argument("--timeout", type=float, default=600, help="whole run, seconds")
    args = parser.parse_args()
    if not 1 <= args.participants <= 5000:
        parser.error("--participants: 1 to 5000")
    load = os.getloadavg()[0]
    result = run(args.participants, args.window, args.concurrency, args.timeout)
    print(result.report())
    print(
        f"machine             {os.cpu_count()} cores; load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other processes share these cores)"
    )
    return 0 if result.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
