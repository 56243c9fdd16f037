"""``course feedback``: hidden tests never reach a learner, their pass or fail always does.

A real class (``graded_class``: three learners of the sample course's ps1, graded by
the kit's grader into nbgrader's gradebook) gets its feedback twice: from nbgrader's
own ``generate_feedback``, which shows the hidden tests verbatim, and from
``course feedback``, which must not show a single line of them anywhere in the file.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from course.cli import main
from course.grading.feedback import FeedbackError, feedback
from course.layout import autograded_folder, feedback_folder, nbgrader_config, release_folder
from course.plan import Course, load_course
from tests.grading.graded_class import ASSIGNMENT, LEARNERS, hidden_lines, make_graded_class

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(course_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course]:
    """The graded class, shared by the module's tests (grading takes seconds)."""
    yield make_graded_class(tmp_path_factory.mktemp("feedback") / "course", course_root)


@pytest.fixture(scope="module")
def secrets(graded: Course) -> list[str]:
    source = graded.exercise_folder(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    release = release_folder(graded, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    found = [line for line in hidden_lines(source, release) if len(line) >= 6]
    assert len(found) >= 15, found  # ps1 has five hidden blocks: enough lines to look for
    return found


def readable_forms(path: Path) -> dict[str, str]:
    """A file as bytes-as-text, with HTML entities undone, and as the words a reader sees
    (tags removed: syntax highlighting splits a line of code into many spans)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    unescaped = html.unescape(raw)
    words = html.unescape(re.sub(r"<[^>]+>", "", raw))
    return {"raw": raw, "unescaped": unescaped, "text": words}


def leaks(folder: Path, secrets: list[str]) -> list[tuple[str, str, str]]:
    """(file, form, line) for every hidden line found in any file under ``folder``."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for form, text in readable_forms(path).items():
            found += [(path.name, form, line) for line in secrets if line in text]
    return found


def statuses(page: Path) -> dict[str, str]:
    """The score table's hidden-tests column, by graded part."""
    soup = BeautifulSoup(page.read_text(), "html.parser")
    table = soup.find("table", class_="scores")
    assert table is not None, "the page has no score table"
    rows = {}
    for row in table.find("tbody").find_all("tr"):
        part, _score, *hidden = (cell.get_text(" ", strip=True) for cell in row.find_all("td"))
        rows[part] = hidden[0] if hidden else ""
    return rows


def test_nbgrader_feedback_shows_hidden_tests_and_the_kit_shows_none(
    graded: Course, secrets: list[str], tmp_path: Path
) -> None:
    from nbgrader.apps import NbGraderAPI

    config = nbgrader_config(graded)
    config.CourseDirectory.feedback_directory = "nbgrader-feedback"
    result = NbGraderAPI(config=config).generate_feedback(ASSIGNMENT)
    assert result["success"], result.get("error")

    report = feedback(graded, ASSIGNMENT)

    assert sorted(f.learner for f in report.learners) == sorted(LEARNERS)
    for learner in LEARNERS:
        theirs = graded.root / "nbgrader-feedback" / learner / ASSIGNMENT
        shown = {line for _file, _form, line in leaks(theirs, secrets)}
        assert shown == set(secrets), f"nbgrader hid some hidden lines?! {set(secrets) - shown}"
        ours = feedback_folder(graded, learner, ASSIGNMENT)
        assert [p.name for p in ours.glob("*.html")] == [f"{ASSIGNMENT}.html"]
        assert leaks(ours, secrets) == [], f"{learner}'s feedback shows hidden tests"


def test_each_hidden_test_says_passed_or_failed(graded: Course) -> None:
    feedback(graded, ASSIGNMENT)
    pages = {
        learner: feedback_folder(graded, learner, ASSIGNMENT) / f"{ASSIGNMENT}.html"
        for learner in LEARNERS
    }
    full, half, blank = (statuses(pages[name]) for name in ("full", "half", "blank"))

    with_hidden = [part for part, hidden in full.items() if hidden]
    # ps1's five autograded tests each end in a hidden block; the manual part has none
    assert sorted(with_hidden) == sorted(
        [
            "test-average-speed-values",
            "test-average-speed-invalid-minutes",
            "test-speeds-kmh",
            "test-fast-trips",
            "test-trip-summary-partial",
        ]
    )
    assert all(full[part] == "passed" for part in with_hidden), full
    # half answered average_speed only: its hidden tests pass, the rest never get there
    assert half["test-average-speed-values"] == "passed"
    assert half["test-average-speed-invalid-minutes"] == "passed"
    assert half["test-fast-trips"] == "not run"  # a visible assert raised first
    assert all(blank[part] in ("failed", "not run") for part in with_hidden), blank
    # the one line in the code itself, where the block was
    text = BeautifulSoup(pages["half"].read_text(), "html.parser").get_text()
    assert text.count("# Hidden tests: passed") == 2
    assert text.count("# Hidden tests: not run") == 2
    assert "BEGIN HIDDEN TESTS" not in text


def test_a_visible_failure_keeps_its_message(graded: Course) -> None:
    feedback(graded, ASSIGNMENT, ["half"])
    page = feedback_folder(graded, "half", ASSIGNMENT) / f"{ASSIGNMENT}.html"
    text = BeautifulSoup(page.read_text(), "html.parser").get_text()
    # speeds_kmh is not written: the visible first assert raises NotImplementedError
    assert "NotImplementedError (line 2 of this cell)" in text


def _set_policy(course: Course, policy: str) -> Course:
    plan = course.root / "course.yml"
    text = plan.read_text()
    plan.write_text(
        text.replace(
            "      mastery: 0.8\n", f"      mastery: 0.8\n      hidden_tests: {policy}\n", 1
        )
    )
    return load_course(course.root)


@pytest.fixture
def copy_of_graded(graded: Course, tmp_path: Path) -> Course:
    shutil.copytree(graded.root, tmp_path / "course", ignore=shutil.ignore_patterns("feedback"))
    return load_course(tmp_path / "course")


def test_hidden_policy_leaves_no_trace_of_hidden_tests(
    copy_of_graded: Course, secrets: list[str]
) -> None:
    course = _set_policy(copy_of_graded, "hidden")

    feedback(course, ASSIGNMENT)

    for learner in LEARNERS:
        folder = feedback_folder(course, learner, ASSIGNMENT)
        text = (folder / f"{ASSIGNMENT}.html").read_text()
        assert leaks(folder, secrets) == []
        assert "Hidden tests:" not in text
        assert "hidden test" not in BeautifulSoup(text, "html.parser").get_text().lower()


def test_after_due_shows_hidden_tests_only_once_due(
    copy_of_graded: Course, secrets: list[str]
) -> None:
    course = _set_policy(copy_of_graded, "after-due")
    folder = feedback_folder(course, "full", ASSIGNMENT)

    feedback(course, ASSIGNMENT, ["full"], now=datetime(2027, 1, 17, 12, 0))  # due 17th 23:59
    assert leaks(folder, secrets) == []

    feedback(course, ASSIGNMENT, ["full"], now=datetime(2027, 1, 18, 12, 0))
    shown = {line for _file, _form, line in leaks(folder, secrets)}
    assert shown == set(secrets)


def test_after_due_waits_for_the_last_extension(copy_of_graded: Course, secrets: list[str]) -> None:
    from course.record.roster import Learner, Roster, save_roster

    course = _set_policy(copy_of_graded, "after-due")
    slow = Learner("slow", "Slow", "Poke", extensions={ASSIGNMENT: 3 * 24 * 60})  # 3 days
    save_roster(course, Roster([Learner("full", "Full", "Marks"), slow]))
    folder = feedback_folder(course, "full", ASSIGNMENT)

    feedback(course, ASSIGNMENT, ["full"], now=datetime(2027, 1, 19, 12, 0))  # slow: 20th
    assert leaks(folder, secrets) == []

    feedback(course, ASSIGNMENT, ["full"], now=datetime(2027, 1, 21, 12, 0))
    assert {line for _file, _form, line in leaks(folder, secrets)} == set(secrets)


def test_feedback_goes_through_nbgrader_exchange_when_there_is_one(
    copy_of_graded: Course, secrets: list[str]
) -> None:
    from nbgrader.utils import notebook_hash

    course = copy_of_graded
    exchange = course.data_path / "exchange" / course.id
    exchange.mkdir(parents=True)
    for learner in ("full", "half"):  # as nbgrader submit and collect leave them
        folder = autograded_folder(course, learner, ASSIGNMENT)
        (folder / "timestamp.txt").write_text("2027-01-17 20:00:00.000000 UTC")
        (folder / "submission_secret.txt").write_text(f"secret-of-{learner}")

    report = feedback(course, ASSIGNMENT)

    released = {f.learner: f.released for f in report.learners}
    for learner in ("full", "half"):
        digest = notebook_hash(secret=f"secret-of-{learner}", notebook_id=ASSIGNMENT)
        assert released[learner] == [exchange / "feedback" / f"{digest}.html"]
    # no secret (not submitted through the exchange): the learner's own folder
    assert released["blank"] == [feedback_folder(course, "blank", ASSIGNMENT) / "ps1.html"]
    assert leaks(exchange, secrets) == []
    assert len(list((exchange / "feedback").glob("*.html"))) == 2


def test_cli_names_an_assignment_without_graded_submissions(graded: Course) -> None:
    result = CliRunner().invoke(main, ["--course", str(graded.root), "feedback", "ps2"])
    assert result.exit_code == 1
    assert "no graded submission of ps2" in result.output
    assert "course grade ps2" in result.output


def test_unknown_learner_is_named(graded: Course) -> None:
    with pytest.raises(FeedbackError, match="for zed"):
        feedback(graded, ASSIGNMENT, ["zed"])


def test_cli_writes_feedback_for_every_graded_learner(graded: Course) -> None:
    result = CliRunner().invoke(main, ["--course", str(graded.root), "feedback", ASSIGNMENT])
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())  # rich wraps at the terminal's width
    assert "feedback for 3 learner(s)" in words
    assert "passed or failed" in words


def test_a_graded_notebook_missing_from_the_gradebook_is_named(copy_of_graded: Course) -> None:
    course = copy_of_graded
    stray = autograded_folder(course, "ghost", ASSIGNMENT)
    shutil.copytree(autograded_folder(course, "full", ASSIGNMENT), stray)

    with pytest.raises(FeedbackError, match=r"for ghost on ps1 failed: .*MissingEntry.*ghost"):
        feedback(course, ASSIGNMENT, ["ghost"])
