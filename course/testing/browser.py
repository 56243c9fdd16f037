"""Debian's Chromium through Playwright, the way the kit's browser tests drive it.

Never ``playwright install``: the tests use the distribution's browser, with the
flags that let it run as root in a container without a GPU or a network.
"""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch_chromium"]


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium browser from a started ``sync_playwright()`` (or async) object."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
