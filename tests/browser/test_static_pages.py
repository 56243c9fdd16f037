"""The pages ``course build`` writes, opened from disk with the network cut off.

The syllabus and every exported presentation app must render fully (the apps'
widgets drawn from their stored state) and pass axe-core with no serious or critical
violation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from course.plan import Course
from course.present.export import exported_name
from course.testing.browser import Steps
from tests.browser.helpers import PHONE, assert_offline_and_accessible, open_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_syllabus_is_offline_accessible_and_its_links_resolve(
    course_browser: Any, course_built: Course, course_steps: Steps
) -> None:
    site = course_built.data_path / "site"
    page, offline, errors = open_offline(course_browser, (site / "index.html").as_uri())
    course_steps.shot(page, "syllabus")
    assert_offline_and_accessible(page, offline, errors)
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    local = [link for link in links if link.startswith("file://")]
    assert local, links
    for link in local:
        assert Path(unquote(urlsplit(link).path)).exists(), link


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_exported_apps_render_their_widgets_offline_and_accessibly(
    course_browser: Any, course_built: Course, course_steps: Steps, viewport: Any
) -> None:
    apps = [m.live.present for m in course_built.modules if m.live and m.live.present]
    assert apps
    for app in apps:
        path = course_built.data_path / "site" / "apps" / exported_name(app)
        page, offline, errors = open_offline(
            course_browser, path.as_uri(), **({"viewport": viewport} if viewport else {})
        )
        page.locator(".jupyter-widgets").first.wait_for(timeout=30_000)
        course_steps.shot(page, app)
        assert page.locator(".widget-dropdown, .widget-slider, .widget-toggle-buttons").count()
        assert_offline_and_accessible(page, offline, errors)
        page.context.close()
