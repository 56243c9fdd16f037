"""Fixtures for testing a course built with the kit (and the kit itself), on real components.

Enable with ``-p course.testing.pytest_plugin`` (in ``addopts``). The course under
test is the one holding course.yml at or above pytest's root folder, or the folder
given with ``--course-root``. Every fixture works on a copy, so tests never write
into the course's checkout:

* ``course_copy``: a fresh copy of the course (plan, notebooks, exercises);
* ``course_built``: a copy after ``course build`` (student versions, syllabus, calendar);
* ``course_graded``: a built copy where one learner submitted the student version of
  the first exercise, graded by ``course grade``;
* ``course_server``: a real Jupyter server with the course extension on loopback,
  shared by the tests of a session (each test makes its own live sessions);
* ``course_hub``: a real JupyterHub on loopback running the course's deployment
  (``deploy/jupyterhub/jupyterhub_config.py``, or ``--hub-config``) on a copy of the
  course, with learners ``HUB_LEARNERS`` and the plan's instructors;
* ``course_binder``: the course's repository launched as Binder would from its
  ``binder/`` folder (``course.testing.binder``): built once, served for the session;
* ``course_browser``: Debian's Chromium through Playwright, per test module (skips,
  saying how to install it, where there is none); ``course_steps``: screenshots of a test's steps,
  written to ``<course>/var/test-screenshots/<test>/`` when the test fails.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from course.plan import Course, find_course, load_course
from course.testing.courses import copy_course
from course.testing.server import CourseServer

if TYPE_CHECKING:
    from course.testing.binder import BinderBuild
    from course.testing.browser import Steps
    from course.testing.hub import Hub

LEARNER = "learner1"
HUB_LEARNERS = ("alice", "bob")
HUB_CONFIG = Path("deploy") / "jupyterhub" / "jupyterhub_config.py"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--course-root",
        default=None,
        help="Folder of the course under test (default: the nearest course.yml above rootdir).",
    )
    parser.addoption(
        "--hub-config",
        default=None,
        help=f"The course's jupyterhub_config.py (default: <course>/{HUB_CONFIG}).",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell that a test failed."""
    report = yield
    setattr(item, f"course_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def course_root(pytestconfig: pytest.Config) -> Path:
    """The course under test: its folder in the checkout (never written to)."""
    given = pytestconfig.getoption("--course-root")
    return find_course(Path(given) if given else pytestconfig.rootpath)


@pytest.fixture
def course_copy(course_root: Path, tmp_path: Path) -> Course:
    """A copy of the course, safe to edit and to fill with generated data."""
    return load_course(copy_course(course_root, tmp_path / "course"))


@pytest.fixture
def course_built(course_copy: Course) -> Course:
    """A copy of the course after ``course build``."""
    from course.publish import build

    build(course_copy)
    return course_copy


@dataclass(frozen=True)
class Graded:
    """A graded submission: whose, of what, and the report ``course grade`` gave."""

    course: Course
    assignment: str
    student: str
    score: float
    max_score: float


@pytest.fixture
def course_graded(course_built: Course) -> Graded:
    """The student version of the first exercise, submitted unchanged by one learner, graded."""
    from course.grading import grade
    from course.layout import release_folder, submission_folder

    if not course_built.assignments():
        pytest.skip("the course has no exercise to grade")
    assignment = course_built.assignments()[0]
    shutil.copytree(
        release_folder(course_built, assignment),
        submission_folder(course_built, LEARNER, assignment),
    )
    report = grade(course_built, assignment)
    (result,) = report.results
    return Graded(course_built, assignment, LEARNER, result.score, result.max_score)


@pytest.fixture(scope="session")
def course_server(
    course_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CourseServer]:
    """A running course server on a copy of the course, for the whole test session."""
    copy = copy_course(course_root, tmp_path_factory.mktemp("course-server") / "course")
    server = CourseServer(copy)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def course_hub(
    course_root: Path, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hub]:
    """A running JupyterHub with the course's deployment, for the whole test session."""
    from course.testing.hub import Hub
    from course.testing.net import free_port

    given = pytestconfig.getoption("--hub-config")
    deployment = Path(given) if given else course_root / HUB_CONFIG
    if not deployment.is_file():
        pytest.skip(f"the course has no JupyterHub deployment ({deployment})")
    run = tmp_path_factory.mktemp("hub")
    copy = copy_course(course_root, run / "course")
    hub = Hub(
        run / "hub",
        deployment.resolve(),
        environment={
            "COURSE_ROOT": str(copy),
            "COURSE_EXCHANGE": str(run / "exchange"),
            "COURSE_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
            "COURSE_LEARNERS": " ".join(HUB_LEARNERS),
        },
    )
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture(scope="session")
def course_binder(
    course_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BinderBuild]:
    """The repository built and started as Binder does, in a fresh virtual environment."""
    from course.testing.binder import BinderBuild

    if not (course_root / "binder").is_dir():
        pytest.skip(f"the course has no binder/ folder ({course_root})")
    build = BinderBuild(course_root, tmp_path_factory.mktemp("binder"))
    build.build()
    build.start()
    yield build
    build.stop()
    print(f"Binder reproduction, seconds per step: {build.timings}")


@pytest.fixture(scope="module")
def course_browser() -> Iterator[Any]:
    """A headless Debian Chromium (Playwright ``Browser``) for a test module.

    Per module, not per session: while Playwright's sync API runs, its event loop is
    the thread's running loop, and any ``asyncio.run`` in a later module of the same
    worker (nbclient, the grader) would fail.
    """
    from course.testing.browser import ChromiumMissing, chromium

    try:
        with chromium() as browser:
            yield browser
    except ChromiumMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture
def course_steps(course_root: Path, request: pytest.FixtureRequest) -> Iterator[Steps]:
    """``course_steps.shot(page, "step")``; the shots are written only if the test fails."""
    from course.testing.browser import Steps

    name = re.sub(r"[^\w.-]+", "-", request.node.nodeid.split("::", 1)[-1])
    steps = Steps(load_course(course_root).data_path / "test-screenshots" / name)
    yield steps
    report = getattr(request.node, "course_report_call", None)
    if report is not None and report.failed and steps.shots:
        written = steps.write()
        print(f"screenshots of the failed test: {written[0].parent}")
