"""Debian's Chromium through Playwright: pages offline, axe-core checks, step screenshots.

* ``chromium()``: a headless Chromium from ``/usr/bin/chromium`` (never a downloaded
  browser), with the flags this machine needs; ``ChromiumMissing`` says how to get it.
* ``Offline``: a context's route that lets only loopback requests through and keeps
  the rest (a page that still reaches for a CDN shows there).
* ``accessibility_violations(page)``: axe-core (from the npm registry, installed by the
  test set-up, ``course.testing.node``) run in the page; the serious and critical ones.
* ``Steps``: screenshots of each step, written under the course's data folder only when
  the test fails (the pytest plugin's ``course_steps`` fixture).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from course.testing.node import node_file

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
SEVERE = ("serious", "critical")


class ChromiumMissing(RuntimeError):
    """No Chromium at /usr/bin/chromium."""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium (a Playwright ``Browser``)."""
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        raise ChromiumMissing(
            "no Chromium at /usr/bin/chromium: install Debian's (apt-get install chromium); "
            "the kit never downloads a browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Offline:
    """Route every request of a context: loopback and inline passes, the rest is refused."""

    refused: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> Offline:
        context.route("**/*", self._route)
        return self

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file") or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("internetdisconnected")


def with_axe(context: Any) -> Any:
    """Load axe-core into every page of ``context`` before the page's own scripts, as an
    init script: a page's Content-Security-Policy would refuse an injected script tag."""
    context.add_init_script(path=str(node_file("axe-core", "axe.min.js")))
    return context


def accessibility_violations(page: Any, impacts: tuple[str, ...] = SEVERE) -> list[dict[str, Any]]:
    """axe-core's violations of ``impacts`` on the page as it is now, each with its nodes
    (the page's context must have been given ``with_axe``)."""
    result = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)


@dataclass
class Steps:
    """Screenshots of a test's steps, kept in memory and written out if the test fails."""

    folder: Path
    shots: list[tuple[str, bytes]] = field(default_factory=list, repr=False)

    def shot(self, page: Any, step: str) -> None:
        self.shots.append((step, page.screenshot(full_page=True)))

    def write(self) -> list[Path]:
        self.folder.mkdir(parents=True, exist_ok=True)
        written = []
        for number, (step, png) in enumerate(self.shots, 1):
            name = re.sub(r"[^\w.-]+", "-", step)
            path = self.folder / f"{number:02d}-{name}.png"
            path.write_bytes(png)
            written.append(path)
        return written
