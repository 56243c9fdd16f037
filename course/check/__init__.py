"""``course check``: everything that must hold before a course goes to learners.

Each area contributes results to one list: the plan, the notebooks it names,
and (from the grading capability) the exercises.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from course.check.exercises import check_exercises
from course.check.lint import lint_notebook
from course.check.notebooks import run_notebook, run_notebooks
from course.check.result import Verdict
from course.errors import PlanError
from course.layout import lesson_notebooks as notebooks_of
from course.layout import log_path
from course.learn import check_mode_environment
from course.learn.quiz import DEFAULT_FILE as QUIZ_FILE
from course.plan import Course, load_course
from course.processes import start_log
from course.questions import POLL, QUIZ, QuestionError, Use, load_questions

__all__ = ["Verdict", "check_questions", "notebooks_of", "run_checks", "run_notebook"]


def run_checks(path: Path | str = ".", *, jobs: int = 2) -> list[Verdict]:
    """Every check of the course at ``path``; an invalid plan stops before anything runs."""
    try:
        course = load_course(path)
    except PlanError as error:
        return [Verdict("plan", p.file, False, str(p)) for p in error.problems]
    results = [Verdict("plan", "course.yml", True, f"{len(course.modules)} modules valid")]
    results += check_questions(course)
    for label, path in notebooks_of(course).items():
        results += lint_notebook(path, label=label)
    with tempfile.TemporaryDirectory(prefix="course-check-") as learner_data:
        env = {
            **check_mode_environment(),  # each exercise proves its solution when defined
            "COURSE_LEARNER_DATA": learner_data,
            "COURSE_EVENTS_URL": "",
        }
        log = start_log(log_path(course, "check"))
        results += run_notebooks(notebooks_of(course), jobs=jobs, env=env, kernel_output=log)
    results += [
        Verdict("exercise", f"{c.assignment}/{c.notebook}: {c.name}", c.passed, c.detail)
        for c in check_exercises(course, workers=jobs)
    ]
    return results


def check_questions(course: Course) -> list[Verdict]:
    """Validate every quiz file beside a lesson and every polls file the plan names,
    including questions no cell or session has shown yet."""
    files: dict[Path, Use] = {
        p.parent / QUIZ_FILE: QUIZ
        for p in notebooks_of(course).values()
        if (p.parent / QUIZ_FILE).is_file()
    }
    for module in course.modules:
        if module.live and module.live.polls:
            files[course.root / module.live.polls] = POLL
    return [result for path in sorted(files) for result in _check_file(course, path, files[path])]


def _check_file(course: Course, path: Path, use: Use) -> list[Verdict]:
    label = str(path.relative_to(course.root))
    try:
        count = len(load_questions(path, use, label=label))
    except QuestionError as error:
        return [Verdict(use.name, label, False, str(p)) for p in error.problems]
    return [Verdict(use.name, label, True, f"{count} questions valid")]
