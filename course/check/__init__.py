"""``course check``: everything that must hold before a course goes to learners.

Each area contributes results to one list: the plan, the notebooks it names,
and (from the grading capability) the exercises.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from course.check.exercises import check_exercises
from course.check.lint import lint_notebook
from course.check.notebooks import run_notebook, run_notebooks
from course.check.result import Verdict
from course.errors import PlanError
from course.learn import QuizError, check_mode_environment, load_quizzes
from course.learn.quiz import DEFAULT_FILE as QUIZ_FILE
from course.plan import Course, load_course

__all__ = ["Verdict", "check_quizzes", "notebooks_of", "run_checks", "run_notebook"]


def run_checks(path: Path | str = ".", *, jobs: int = 2) -> list[Verdict]:
    """Every check of the course at ``path``; an invalid plan stops before anything runs."""
    try:
        course = load_course(path)
    except PlanError as error:
        return [Verdict("plan", p.file, False, str(p)) for p in error.problems]
    results = [Verdict("plan", "course.yml", True, f"{len(course.modules)} modules valid")]
    results += check_quizzes(course)
    for label, path in notebooks_of(course).items():
        results += lint_notebook(path, label=label)
    with tempfile.TemporaryDirectory(prefix="course-check-") as learner_data:
        env = {
            **check_mode_environment(),  # each exercise proves its solution when defined
            "COURSE_LEARNER_DATA": learner_data,
            "COURSE_EVENTS_URL": "",
        }
        results += run_notebooks(notebooks_of(course), jobs=jobs, env=env)
    results += [
        Verdict("exercise", f"{c.assignment}/{c.notebook}: {c.name}", c.passed, c.detail)
        for c in check_exercises(course, workers=jobs)
    ]
    return results


def check_quizzes(course: Course) -> list[Verdict]:
    """Validate every quiz file beside a lesson, including questions no cell displays yet."""
    results = []
    for path in sorted({p.parent / QUIZ_FILE for p in notebooks_of(course).values()}):
        if not path.is_file():
            continue
        label = str(path.relative_to(course.root))
        try:
            count = len(load_quizzes(path))
        except QuizError as error:
            results += [
                Verdict("quiz", label, False, str(replace(p, file=label))) for p in error.problems
            ]
        else:
            results.append(Verdict("quiz", label, True, f"{count} questions valid"))
    return results


def notebooks_of(course: Course) -> dict[str, Path]:
    """Every notebook the plan names for learners or live sessions, by relative path."""
    found: dict[str, Path] = {}
    for module in course.modules:
        paths: list[str | None] = []
        if module.self_paced:
            paths.append(module.self_paced.notebook)
        if module.live:
            paths += [module.live.group_notebook, module.live.present]
        for relative in filter(None, paths):
            found[relative] = course.root / relative
    return found
