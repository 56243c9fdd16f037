"""Broken plans: `course check` exits non-zero and names file, line and field for each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.cli import main


@dataclass(frozen=True)
class Broken:
    """A plan made broken by replacing ``old`` with ``new``; the error must point at ``marker``."""

    old: str
    new: str
    marker: str
    field: str
    says: str


CASES = {
    "bad date": Broken(
        "opens: 2027-03-01",
        "opens: 2027-13-01",
        "opens: 2027-13-01",
        "modules[0].self_paced.opens",
        "2027-13-01 is not a date",
    ),
    "bad date and time": Broken(
        "due: 2027-03-07T23:59",
        "due: 2027-03-07T25:00",
        "due: 2027-03-07T25:00",
        "modules[0].exercise.due",
        "is not a date and time",
    ),
    "unknown required module": Broken(
        "requires: [a]",
        "requires: [zz]",
        "requires: [zz]",
        "modules[1].requires[0]",
        "unknown module 'zz'",
    ),
    "requires a later module (cycle)": Broken(
        "requires: []", "requires: [b]", "requires: [b]", "modules[0].requires", "cycle"
    ),
    "missing notebook": Broken(
        "notebook: lesson-a.ipynb",
        "notebook: lesson-x.ipynb",
        "notebook: lesson-x.ipynb",
        "modules[0].self_paced.notebook",
        "file not found: lesson-x.ipynb",
    ),
    "missing assignment": Broken(
        "assignment: hw2",
        "assignment: hw9",
        "assignment: hw9",
        "modules[1].exercise.assignment",
        "assignment 'hw9' not found",
    ),
    "duplicate module id": Broken(
        "  - id: b",
        "  - id: a",
        "  - id: a\n    title: Second",
        "modules[1].id",
        "'a' is already modules[0]",
    ),
    "due after the live session that requires it": Broken(
        "due: 2027-03-07T23:59",
        "due: 2027-03-20T23:59",
        "starts: 2027-03-15T10:00",
        "modules[1].live.starts",
        "whose exercise is due later",
    ),
    "bad timezone": Broken(
        "timezone: Europe/Berlin",
        "timezone: Europe/Berlim",
        "timezone: Europe/Berlim",
        "timezone",
        "did you mean Europe/Berlin",
    ),
    "wrong YAML type": Broken(
        "instructors: [ada]",
        "instructors: {name: ada}",
        "instructors: {name: ada}",
        "instructors",
        "expected a list",
    ),
    "YAML syntax error": Broken(
        "title: Mini course",
        "title: [Mini course",
        "timezone:",
        "",
        "flow sequence that starts on line 2",
    ),
    "unknown key": Broken(
        "    title: Second module",
        "    titel: Second module",
        "titel: Second module",
        "modules[1].titel",
        "did you mean 'title'",
    ),
    "unknown blended model": Broken(
        "model: flipped-classroom", "model: flipped", "model: flipped", "model", "flipped-classroom"
    ),
    "unknown Bloom level": Broken(
        "level: apply",
        "level: memorise",
        "level: memorise",
        "modules[0].objectives[0].level",
        "'memorise'",
    ),
    "bad duration": Broken(
        "time_to_learn: 30min",
        "time_to_learn: half an hour",
        "time_to_learn: half an hour",
        "modules[0].self_paced.time_to_learn",
        "is not a duration",
    ),
    "mastery above one": Broken(
        "mastery: 0.8",
        "mastery: 1.5",
        "mastery: 1.5",
        "modules[0].exercise.mastery",
        "less than or equal to 1",
    ),
    "missing required field": Broken(
        "    title: Second module\n", "", "  - id: b", "modules[1].title", "is required"
    ),
    "due before the module opens": Broken(
        "due: 2027-03-14T23:59",
        "due: 2027-03-02T23:59",
        "due: 2027-03-02T23:59",
        "modules[1].exercise.due",
        "is not after the module opens",
    ),
    "path outside the course": Broken(
        "notebook: lesson-b.ipynb",
        "notebook: ../../etc/passwd",
        "notebook: ../../etc/passwd",
        "modules[1].self_paced.notebook",
        "inside the course folder",
    ),
    "duplicate key": Broken(
        "model: flipped-classroom",
        "model: flipped-classroom\nmodel: flex",
        "model: flex",
        "",
        "YAML syntax error",
    ),
    "unknown hidden-tests policy": Broken(
        "      mastery: 0.8\n",
        "      mastery: 0.8\n      hidden_tests: secret\n",
        "hidden_tests: secret",
        "modules[0].exercise.hidden_tests",
        "'secret' is not one of 'hidden', 'pass-fail' or 'after-due'",
    ),
    "invalid id": Broken(
        "  - id: b", "  - id: 2nd module", "id: 2nd module", "modules[1].id", "is not a valid id"
    ),
}


def line_of(text: str, marker: str) -> int:
    """The 1-based line where ``marker`` starts in ``text``."""
    return text[: text.index(marker)].count("\n") + 1


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_broken_plan_is_named_by_file_line_and_field(mini_course: Path, case: Broken) -> None:
    plan = mini_course / "course.yml"
    text = plan.read_text()
    assert case.old in text, "the test case no longer matches the fixture"
    broken = text.replace(case.old, case.new, 1)
    plan.write_text(broken)

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1, result.output
    expected = f"course.yml:{line_of(broken, case.marker)}:"
    if case.field:
        expected += f" {case.field}:"
    lines = [line for line in result.output.splitlines() if case.says in line]
    assert lines, f"no line says {case.says!r}:\n{result.output}"
    assert any(expected in line for line in lines), f"{expected!r} not in {lines}"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", "an empty file"),
        ("- a\n- list\n", "found a list"),
        ("just text\n", "found 'just text'"),
    ],
)
def test_plan_that_is_not_a_mapping_is_refused(mini_course: Path, text: str, found: str) -> None:
    (mini_course / "course.yml").write_text(text)

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    assert "course.yml:1: expected a mapping of keys" in result.output
    assert found in result.output


def test_every_problem_is_reported_at_once(mini_course: Path) -> None:
    plan = mini_course / "course.yml"
    text = plan.read_text().replace("level: apply", "level: memorise")
    text = text.replace("opens: 2027-03-01", "opens: 2027-02-30").replace(
        "model: flipped-classroom", "model: flex-ish"
    )
    plan.write_text(text)

    result = CliRunner().invoke(main, ["--course", str(mini_course), "check"])

    assert result.exit_code == 1
    for field in ("modules[0].objectives[0].level", "modules[0].self_paced.opens", "model:"):
        assert field in result.output


def test_missing_course_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--course", str(tmp_path), "build"])

    assert result.exit_code == 1
    assert f"no course.yml in {tmp_path.resolve()}" in result.output
    assert "Traceback" not in result.output
