"""What every offline-and-accessible check asks of a page."""

from __future__ import annotations

from typing import Any

from course.testing.browser import Offline, accessibility_violations, describe, with_axe

PHONE = {"width": 390, "height": 844}


def open_offline(browser: Any, url: str, **context: Any) -> tuple[Any, Offline, list[str]]:
    """A page at ``url`` in a context that refuses every non-loopback request."""
    made = with_axe(browser.new_context(**context))
    offline = Offline().attach(made)
    page = made.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, offline, errors


def assert_offline_and_accessible(page: Any, offline: Offline, errors: list[str]) -> None:
    """Nothing was fetched from outside, no script failed, axe finds nothing serious."""
    assert offline.refused == [], f"{page.url} reached for the network: {offline.refused}"
    assert errors == [], f"{page.url}: {errors}"
    violations = accessibility_violations(page)
    assert violations == [], f"{page.url}:\n{describe(violations)}"
