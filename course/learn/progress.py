"""The learner's own view of the course: modules done, results so far, what comes next.

Built from two sources only: the plan (course.yml, for modules and dates) and the
learner's local event log (for what they did), so it works offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from course.learn.context import current_course, learner
from course.learn.display import Line, Panel
from course.learn.errors import LearnError
from course.learn.events import KIT, event_log, record
from course.plan import Course, Module, load_course

_SEPARATORS = "-_.:"


@dataclass
class ModuleProgress:
    """What one learner did in one module."""

    id: str
    title: str
    done: bool = False
    started: bool = False
    exercises_tried: set[str] = field(default_factory=set)
    exercises_passed: set[str] = field(default_factory=set)
    quizzes_answered: set[str] = field(default_factory=set)
    quizzes_right: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Upcoming:
    """A deadline or live session still ahead, with how far ahead it is."""

    what: str
    module: str
    at: datetime
    left: timedelta


class Progress(Panel):
    """What ``progress()`` returns: per-module status and the next deadline and live session."""

    def __init__(
        self,
        course: Course,
        modules: list[ModuleProgress],
        next_deadline: Upcoming | None,
        next_live: Upcoming | None,
        pending: int,
        now: datetime,
    ) -> None:
        self.course, self.modules = course, modules
        self.next_deadline, self.next_live = next_deadline, next_live
        lines = [
            _module_line(course.module(m.id), m, now, _opens(course, course.module(m.id)))
            for m in modules
        ]
        for label, upcoming in (("Next deadline", next_deadline), ("Next live session", next_live)):
            if upcoming:
                when = f"{upcoming.at:%a %d %b %H:%M}, {relative(upcoming.left)}"
                lines.append(Line("info", f"{label}: {upcoming.what} ({upcoming.module}), {when}"))
        if pending:
            lines.append(Line("muted", f"{pending} events wait to be sent to the course server."))
        super().__init__(f"Your progress in {course.title} ({learner()})", lines)


def relative(left: timedelta) -> str:
    """'in 2 days 3 hours', 'in 40 minutes': the precision a learner plans with."""
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return "in " + " ".join(words) if words else "now"


def progress(now: datetime | None = None, *, course: Path | str | None = None) -> Progress | Panel:
    """Show the learner their modules, results and the next deadline and live session.

    The course is found from the notebook's working directory unless ``course`` names
    it; ``now`` (tz-aware, or wall-clock in the course's time zone) is for tests.
    """
    plan = load_course(course) if course is not None else current_course()
    if plan is None:
        why = f"No course.yml in {Path.cwd()} or above: open this notebook inside the course."
        return Panel("Your progress", [Line("muted", why)])
    now = plan.localize(now) if now else datetime.now(plan.tz)
    log = event_log()
    modules = _tally(plan, log.read(course=plan.id))
    pending = log.pending() if log.url else 0
    return Progress(plan, modules, _next_deadline(plan, now), _next_live(plan, now), pending, now)


def complete(module_id: str) -> Panel:
    """Mark a module as done (the last cell of a lesson): a 'completed' event."""
    plan = current_course()
    if plan is not None and module_id not in [m.id for m in plan.modules]:
        valid = ", ".join(m.id for m in plan.modules)
        raise LearnError(f"complete({module_id!r}): no such module in {plan.id}; valid: {valid}")
    record("completed", "module", module_id, {"completion": True}, module=module_id)
    return Panel(f"{module_id}: done", [Line("ok", "Module marked as done. See progress().")])


def module_of(event: dict[str, Any], module_ids: list[str]) -> str | None:
    """The module an event belongs to: as recorded, else by its id's prefix (m1-squares → m1)."""
    recorded = event.get("context", {}).get("extensions", {}).get(KIT + "module")
    if recorded in module_ids:
        return str(recorded)
    name = event["object"]["definition"]["name"]["en"]
    for module_id in sorted(module_ids, key=len, reverse=True):
        if name == module_id or (
            name.startswith(module_id) and name[len(module_id)] in _SEPARATORS
        ):
            return module_id
    return None


def _tally(plan: Course, events: list[dict[str, Any]]) -> list[ModuleProgress]:
    modules = {m.id: ModuleProgress(m.id, m.title) for m in plan.modules}
    for event in events:
        module_id = module_of(event, list(modules))
        if module_id is None:
            continue
        state, verb = modules[module_id], event["verb"]["display"]["en"]
        name = event["object"]["definition"]["name"]["en"]
        success = event.get("result", {}).get("success", False)
        state.started = True
        if verb == "completed":
            state.done = True
        elif verb == "checked":
            state.exercises_tried.add(name)
            if success:
                state.exercises_passed.add(name)
        elif verb == "answered":
            state.quizzes_answered.add(name)
            if success:
                state.quizzes_right.add(name)
    return list(modules.values())


def _module_line(
    module: Module, state: ModuleProgress, now: datetime, opens_at: datetime | None
) -> Line:
    if state.done:
        status = "done"
    elif state.started:
        status = "in progress"
    else:
        status = "not started"
    opens = module.self_paced.opens if module.self_paced else None
    if not state.started and opens and opens_at and opens_at > now:
        status += f" (opens {opens:%a %d %b})"
    results = []
    if state.exercises_tried:
        results.append(
            f"exercises {len(state.exercises_passed)} passed of {len(state.exercises_tried)} tried"
        )
    if state.quizzes_answered:
        results.append(f"quizzes {len(state.quizzes_right)} right of {len(state.quizzes_answered)}")
    text = f"{module.id} {module.title}: {status}" + (f" — {', '.join(results)}" if results else "")
    return Line("ok" if state.done else "muted", text)


def _next_deadline(plan: Course, now: datetime) -> Upcoming | None:
    ahead = [
        Upcoming(f"exercise {m.exercise.assignment} due", m.id, due, due - now)
        for m in plan.modules
        if m.exercise and (due := plan.localize(m.exercise.due)) > now
    ]
    return min(ahead, key=lambda u: u.at, default=None)


def _next_live(plan: Course, now: datetime) -> Upcoming | None:
    ahead = [
        Upcoming(f"live session on {m.title}", m.id, starts, starts - now)
        for m in plan.modules
        if m.live and (starts := plan.localize(m.live.starts)) > now
    ]
    return min(ahead, key=lambda u: u.at, default=None)


def _opens(plan: Course, module: Module) -> datetime | None:
    return plan.localize(module.self_paced.opens) if module.self_paced else None
