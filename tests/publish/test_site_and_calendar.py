"""`course build`: the calendar and the syllabus say what the plan says, in the course's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from course.cli import main
from course.plan import load_course
from course.publish import build, nbgitpuller_link


def events(calendar: Calendar, category: str) -> dict[str, object]:
    found = {}
    for event in calendar.walk("VEVENT"):
        categories = [str(c) for cat in [event.get("categories")] for c in cat.cats]
        if category in categories:
            found[str(event["summary"])] = event
    return found


def test_calendar_has_one_event_per_live_session_and_one_per_deadline(mini_course: Path) -> None:
    result = build(load_course(mini_course))

    calendar = Calendar.from_ical(result.calendar.read_bytes())
    live = events(calendar, "LIVE-SESSION")
    due = events(calendar, "DEADLINE")
    assert sorted(live) == ["Live session: First module", "Live session: Second module"]
    assert sorted(due) == ["Due: hw1 (First module)", "Due: hw2 (Second module)"]
    # 2027-03-08 10:00 in Berlin is 09:00 UTC (winter time); the session lasts 90 minutes.
    first = live["Live session: First module"]
    assert first["dtstart"].dt.astimezone(UTC) == datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
    assert first["dtend"].dt - first["dtstart"].dt == timedelta(minutes=90)
    assert str(first["dtstart"].params["TZID"]) == "Europe/Berlin"
    deadline = due["Due: hw2 (Second module)"]["dtstart"].dt
    assert deadline.astimezone(UTC) == datetime(2027, 3, 14, 22, 59, tzinfo=UTC)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_summer_time_is_respected(mini_course: Path) -> None:
    plan = mini_course / "course.yml"
    plan.write_text(
        plan.read_text().replace("starts: 2027-03-15T10:00", "starts: 2027-04-05T10:00")
    )

    calendar = Calendar.from_ical(build(load_course(mini_course)).calendar.read_bytes())

    second = events(calendar, "LIVE-SESSION")["Live session: Second module"]
    assert second["dtstart"].dt.astimezone(UTC) == datetime(2027, 4, 5, 8, 0, tzinfo=UTC)


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_h2 = self._in_h2 or tag == "h2"
        if tag == "h2":
            self.h2.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_h2 = self._in_h2 and tag != "h2"

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2[-1] += data


def test_syllabus_lists_every_module_with_its_times(mini_course: Path) -> None:
    html = build(load_course(mini_course)).syllabus.read_text()

    parser = _Headings()
    parser.feed(html)
    assert parser.h2 == ["1. First module", "2. Second module"]
    assert "Mon 08 Mar 2027, 10:00 CET–11:30 (1 h 30 min)" in html
    assert "Sun 07 Mar 2027, 23:59 CET" in html
    assert "Prerequisites</dt><dd>First module" in html


def test_syllabus_escapes_text_from_the_plan(mini_course: Path) -> None:
    plan = mini_course / "course.yml"
    plan.write_text(
        plan.read_text().replace("text: add numbers", 'text: "<script>alert(1)</script>"')
    )

    html = build(load_course(mini_course)).syllabus.read_text()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_links_point_at_the_repository_and_the_notebook(mini_course: Path) -> None:
    plan = mini_course / "course.yml"
    repository = "repository:\n  url: https://github.com/org/mini\n  branch: spring\n  hub: https://hub.example.org\n"
    plan.write_text(plan.read_text().replace("modules:\n", repository + "modules:\n", 1))
    course = load_course(mini_course)

    html = build(course).syllabus.read_text()
    link = urlparse(nbgitpuller_link(course, "lesson-a.ipynb") or "")

    assert "https://mybinder.org/v2/gh/org/mini/spring?urlpath=lab%2Ftree%2Flesson-a.ipynb" in html
    assert (link.netloc, link.path) == ("hub.example.org", "/hub/user-redirect/git-pull")
    assert parse_qs(link.query) == {
        "repo": ["https://github.com/org/mini"],
        "branch": ["spring"],
        "targetpath": [course.id],
        "urlpath": ["lab/tree/lesson-a.ipynb"],
    }


def test_build_command_writes_into_the_data_folder_only(mini_course: Path) -> None:
    before = sorted(p.relative_to(mini_course) for p in mini_course.rglob("*"))

    result = CliRunner().invoke(main, ["--course", str(mini_course), "build"])

    assert result.exit_code == 0, result.output
    after = sorted(p.relative_to(mini_course) for p in mini_course.rglob("*"))
    added = set(after) - set(before)
    assert added and all(p.parts[0] == "var" for p in added)
    assert (mini_course / "var" / "site" / "index.html").is_file()


@pytest.mark.slow
def test_sample_course_build_links_static_apps_with_widget_state(sample_course: Path) -> None:
    course = load_course(sample_course)

    result = build(course)

    presented = [Path(m.live.present).stem for m in course.modules if m.live and m.live.present]
    assert sorted(p.stem for p in result.apps) == sorted(presented)
    html = result.syllabus.read_text()
    for app in result.apps:
        assert f'href="apps/{app.name}"' in html
        assert "application/vnd.jupyter.widget-state+json" in app.read_text()
    assert sorted(p.parent.name for p in result.releases) == ["ps1", "ps2", "ps3"]
