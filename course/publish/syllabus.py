"""The syllabus as one static, self-contained HTML page, in the course's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jinja2 import Environment, PackageLoader, select_autoescape

from course.plan import Course, Module
from course.present.export import exported_name
from course.publish.links import binder_link, nbgitpuller_link

_env = Environment(
    loader=PackageLoader("course.publish", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class ModuleView:
    """What the page shows of a module: texts ready to print, times in the course's zone."""

    module: Module
    requires: list[str]
    time_to_learn: str
    opens: str | None
    due: str | None
    live: str | None
    binder: str | None
    nbgitpuller: str | None
    app: str | None


def render_syllabus(course: Course, *, calendar_file: str = "course.ics") -> str:
    views = [_view(course, module) for module in course.modules]
    return _env.get_template("syllabus.html.j2").render(
        course=course, modules=views, calendar_file=calendar_file
    )


def _view(course: Course, module: Module) -> ModuleView:
    titles = {m.id: m.title for m in course.modules}
    notebook = module.self_paced.notebook if module.self_paced else None
    live = None
    if module.live:
        starts = course.localize(module.live.starts)
        ends = starts + module.live.duration
        live = f"{_when(starts)}–{ends:%H:%M} ({_duration(module.live.duration)})"
    return ModuleView(
        module=module,
        requires=[titles.get(r, r) for r in module.requires],
        time_to_learn=_duration(module.self_paced.time_to_learn) if module.self_paced else "",
        opens=f"{course.localize(module.self_paced.opens):%a %d %b %Y}"
        if module.self_paced
        else None,
        due=_when(course.localize(module.exercise.due)) if module.exercise else None,
        live=live,
        binder=binder_link(course, notebook) if notebook else None,
        nbgitpuller=nbgitpuller_link(course, notebook) if notebook else None,
        app=f"apps/{exported_name(module.live.present)}"
        if module.live and module.live.present
        else None,
    )


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %Y, %H:%M} {moment.tzname()}"


def _duration(span: timedelta) -> str:
    hours, minutes = divmod(int(span.total_seconds()) // 60, 60)
    return " ".join(
        part
        for part in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "")
        if part
    )
