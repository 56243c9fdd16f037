"""The schema of course.yml: what a course plan may say, checked field by field.

Cross-field rules that need the files on disk or the whole plan (references,
date order, cycles) live in ``crosscheck``; this module only knows shapes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from difflib import get_close_matches
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

EXERCISES_DIR = "exercises"  # nbgrader's source folder: one subfolder per assignment
BLOOM_LEVELS = ("remember", "understand", "apply", "analyze", "evaluate", "create")
HIDDEN_TESTS_POLICIES = ("hidden", "pass-fail", "after-due")
"""What a learner's feedback shows of the hidden tests: nothing at all, one line per hidden
block saying passed or failed (the default), or the tests themselves once the due date passed
for every learner (extensions included)."""
BLENDED_MODELS = (
    "station-rotation",
    "lab-rotation",
    "flipped-classroom",
    "individual-rotation",
    "flex",
    "a-la-carte",
    "enriched-virtual",
)

_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+)\s*h(?:ours?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:utes?)?)?)?\s*$", re.IGNORECASE
)


def parse_duration(value: object) -> timedelta:
    """Read durations the way people write them in a plan: ``40min``, ``2h``, ``1h30min``."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return timedelta(minutes=value)
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match or not (match["h"] or match["m"]):
        raise ValueError(f"{value!r} is not a duration (write it like 40min, 2h or 1h30min)")
    minutes = int(match["h"] or 0) * 60 + int(match["m"] or 0)
    if minutes <= 0:
        raise ValueError(f"{value!r} is not a positive duration")
    return timedelta(minutes=minutes)


def _relative_path(value: object) -> object:
    if not isinstance(value, str):
        return value
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(
            f"{value!r} must be a path inside the course folder, like notebooks/x.ipynb"
        )
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
RelPath = Annotated[str, BeforeValidator(_relative_path), Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Objective(_Strict):
    level: Literal[BLOOM_LEVELS]  # type: ignore[valid-type]
    text: Text


class SelfPaced(_Strict):
    notebook: RelPath
    time_to_learn: Duration
    opens: date


def _share(value: object) -> object:
    """A share of the maximum score, written ``10%`` or ``0.1``; more than none, at most all."""
    number: float | None = None
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a percentage (write it like 10%)") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    if number is None:
        return value  # pydantic names what was expected
    if not 0 < number <= 1:
        raise ValueError(
            f"{value!r} is not a share of the score above 0 and at most 100% (like 10% or 0.1)"
        )
    return number


Share = Annotated[float, BeforeValidator(_share)]


class LatePenalty(_Strict):
    """What a late submission loses: ``deduct`` of the maximum score for every ``per``
    (or part of one) past the learner's due date, at most ``cap`` in all.

    ``per: once`` deducts ``deduct`` once, however late. Applied by ``course export``;
    the gradebook keeps the raw scores. Example: ``{deduct: 10%, per: day, cap: 50%}``.
    """

    deduct: Share
    per: Literal["once", "hour", "day"] = "day"
    cap: Share = 1.0


class GradedExercise(_Strict):
    """A module's graded exercise: the nbgrader assignment ``exercises/<assignment>/``.

    (Not ``course.learn.Exercise``, the practice exercise a lesson notebook defines.)
    """

    assignment: Id
    due: datetime
    mastery: float = Field(0.8, gt=0, le=1, description="share of points that counts as ready")
    late_penalty: LatePenalty | None = None  # overrides the course's late_penalty
    hidden_tests: Literal[HIDDEN_TESTS_POLICIES] = Field(  # type: ignore[valid-type]
        "pass-fail", description="what feedback shows of hidden tests (course feedback)"
    )


class Live(_Strict):
    starts: datetime
    duration: Duration
    group_notebook: RelPath | None = None
    polls: RelPath | None = None
    present: RelPath | None = None


class Module(_Strict):
    id: Id
    title: Text
    summary: str = ""
    objectives: list[Objective] = []
    requires: list[Id] = []
    self_paced: SelfPaced | None = None
    exercise: GradedExercise | None = None
    live: Live | None = None


class Repository(_Strict):
    """Where the course is published, for Binder and nbgitpuller links."""

    url: Annotated[str, Field(pattern=r"^https://github\.com/[\w.-]+/[\w.-]+/?$")]
    branch: str = "main"
    hub: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None


class Course(_Strict):
    """A validated course plan, anchored to the folder that holds its course.yml."""

    id: Id
    title: Text
    description: str = ""
    timezone: str
    model: Literal[BLENDED_MODELS]  # type: ignore[valid-type]
    instructors: list[Id] = Field(min_length=1)
    repository: Repository | None = None
    data_dir: RelPath = "var"
    late_penalty: LatePenalty | None = None  # for every exercise that sets none itself
    modules: list[Module] = Field(min_length=1)

    _root: Path = PrivateAttr(default=Path("."))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            close = get_close_matches(value, available_timezones(), n=1)
            suggestion = f"; did you mean {close[0]}?" if close else ""
            raise ValueError(
                f"{value!r} is not an IANA time zone like Europe/Berlin{suggestion}"
            ) from None
        return value

    @property
    def root(self) -> Path:
        """The course folder: every relative path in the plan starts here."""
        return self._root

    @property
    def data_path(self) -> Path:
        """Generated and learner data: ignored by git, never committed."""
        return self._root / self.data_dir

    def exercise_folder(self, assignment: str) -> Path:
        """The instructor's source of an assignment, in nbgrader's markup."""
        return self._root / EXERCISES_DIR / assignment

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def localize(self, moment: datetime | date) -> datetime:
        """Plan times are wall-clock times in the course's time zone unless they say otherwise."""
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day)
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def exercise(self, assignment: str) -> GradedExercise:
        """The graded exercise of ``assignment``; KeyError when no module has it."""
        for module in self.modules:
            if module.exercise and module.exercise.assignment == assignment:
                return module.exercise
        raise KeyError(assignment)

    def late_penalty_for(self, assignment: str) -> LatePenalty | None:
        """The exercise's own late penalty, else the course's, else None (no penalty)."""
        return self.exercise(assignment).late_penalty or self.late_penalty

    def assignments(self) -> list[str]:
        return [m.exercise.assignment for m in self.modules if m.exercise]

    def referenced_files(self) -> list[str]:
        """Every file the plan names (lessons, group notebooks, polls, apps), from the root."""
        found: list[str | None] = []
        for module in self.modules:
            if module.self_paced:
                found.append(module.self_paced.notebook)
            if module.live:
                found += [module.live.group_notebook, module.live.polls, module.live.present]
        return [path for path in found if path]
