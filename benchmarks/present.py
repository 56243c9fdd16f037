"""20 visitors open a presentation app at once: the kit's preheated Voila vs plain Voila.

Each visitor measures the time to the first byte of the page and to the whole page
(Voila streams the page while the notebook runs, so its end means every cell has
rendered). The kit's server is measured once its pool is warm, as in a session
where the instructor starts ``course present`` before the room arrives. Both
servers run on loopback, one after the other on the same notebook, and everything
stops by itself (per-request and overall time limits).

    .venv/bin/python benchmarks/present.py [--visitors 20] [--notebook PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import time
from pathlib import Path

import httpx

from course.plan import load_course
from course.present import PresentOptions, voila_command
from course.present.process import running_voila

REQUEST_TIMEOUT = 240.0
WARMUP_TIMEOUT = 300.0


async def visit(client: httpx.AsyncClient, url: str) -> tuple[float, float, int]:
    """(time to first byte, time to the full page, status) for one visitor."""
    start = time.perf_counter()
    first = None
    async with client.stream("GET", url) as response:
        async for _chunk in response.aiter_bytes():
            first = first or time.perf_counter() - start
    return first or 0.0, time.perf_counter() - start, response.status_code


async def crowd(url: str, visitors: int) -> list[tuple[float, float, int]]:
    limits = httpx.Limits(max_connections=visitors)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as client:
        return await asyncio.gather(*(visit(client, url) for _ in range(visitors)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure(command: list[str], port: int, visitors: int, warm: int | None) -> list[tuple]:
    url = f"http://127.0.0.1:{port}/"
    with running_voila(
        command, url, warm=warm or 0, status=warm is not None, timeout=WARMUP_TIMEOUT
    ):
        return asyncio.run(crowd(url, visitors))


def summary(name: str, results: list[tuple[float, float, int]]) -> tuple[float, float]:
    ttfb = [r[0] for r in results]
    full = [r[1] for r in results]
    failed = sum(1 for r in results if r[2] != 200)
    print(
        f"{name:<22} TTFB median {statistics.median(ttfb):6.2f} s  max {max(ttfb):6.2f} s   "
        f"full page median {statistics.median(full):6.2f} s  max {max(full):6.2f} s   "
        f"non-200: {failed}"
    )
    return statistics.median(ttfb), statistics.median(full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--notebook", default="notebooks/apps/01-functions.ipynb")
    args = parser.parse_args()
    course = load_course(Path(__file__).resolve().parent.parent)
    notebook = course.root / args.notebook

    port = free_port()
    options = PresentOptions(
        port=port, open_browser=False, pool=args.visitors, max_kernels=3 * args.visitors
    )
    kit = measure(voila_command(course, notebook, options), port, args.visitors, args.visitors)

    port = free_port()
    plain_command = [
        sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
        "--Voila.ip=127.0.0.1",
    ]  # fmt: skip
    plain = measure(plain_command, port, args.visitors, None)

    print(f"{args.visitors} visitors at once, {args.notebook}")
    kit_ttfb, kit_full = summary("kit (preheated pool)", kit)
    plain_ttfb, plain_full = summary("plain Voila", plain)
    print(
        f"median ratio plain/kit: TTFB {plain_ttfb / kit_ttfb:.1f}x, "
        f"full page {plain_full / kit_full:.1f}x (target >= 5x)"
    )


if __name__ == "__main__":
    main()
