"""Grading on Dask distributed workers, and into a PostgreSQL gradebook: the local SQLite rows."""

from __future__ import annotations

import shutil

import pytest

from course.grading import Options, grade
from course.plan import load_course
from course.testing import postgres as pgserver
from tests.grading import coursekit as ck
from tests.grading import nbgrader_course as nc

pytestmark = pytest.mark.slow

WRITES_FILE = "open('notes.txt', 'w').write('written while grading')\n"
SUBMISSIONS = {
    "correct": ck.CORRECT,
    "untouched": {},
    "raises": {**ck.CORRECT, "squares": "def squares(xs):\n    raise ValueError('no')"},
    "writes": {**ck.CORRECT, "squares": WRITES_FILE + ck.CORRECT["squares"]},
    "late": ck.CORRECT,
}


def _sqlite(root):
    return f"sqlite:///{root}/var/gradebook.db"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = ck.make_course(tmp_path_factory.mktemp("cluster") / "pristine")
    for student, answers in SUBMISSIONS.items():
        stamp = "2027-01-19 10:00:00" if student == "late" else "2027-01-15 10:00:00"
        ck.submit(root, student, answers, timestamp=stamp)
    return root


@pytest.fixture(scope="module")
def local(course, tmp_path_factory):
    root = ck.copy_course(course, tmp_path_factory.mktemp("local") / "course")
    grade(load_course(root), "ps1", options=Options(workers=2))
    return root


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as running:
        yield running


def test_dask_workers_give_the_local_gradebook_row_for_row(course, local, cluster, tmp_path):
    root = ck.copy_course(course, tmp_path / "course")
    report = grade(load_course(root), "ps1", options=Options(scheduler=cluster.scheduler_address))
    assert {r.student for r in report.graded} == set(SUBMISSIONS)
    rows = nc.gradebook_rows(_sqlite(root))
    assert rows == nc.gradebook_rows(_sqlite(local))
    assert any(row[6] for row in rows["grades"]), "no manual-grade rows: a weak comparison"
    assert len({row[2] for row in rows["submissions"]}) == 2, "the timestamps were not kept"


def test_files_a_notebook_writes_on_a_worker_reach_autograded(course, local, cluster, tmp_path):
    root = ck.copy_course(course, tmp_path / "course")
    grade(load_course(root), "ps1", ["writes"], Options(scheduler=cluster.scheduler_address))
    written = root / "var/autograded/writes/ps1/notes.txt"
    assert written.read_text() == "written while grading"
    assert (local / "var/autograded/writes/ps1/notes.txt").read_text() == written.read_text()
    assert sorted(p.name for p in written.parent.iterdir()) == [
        "notes.txt",
        "ps1.ipynb",
        "temps.csv",
        "timestamp.txt",
    ]


def test_worker_runs_are_confined_as_local_ones(course, cluster, tmp_path):
    root = ck.copy_course(course, tmp_path / "course")
    snoop = "open('" + str(root / "var/gradebook.db") + "', 'rb').read()\n"
    ck.submit(root, "snoops", {**ck.CORRECT, "squares": snoop + ck.CORRECT["squares"]})
    report = grade(
        load_course(root), "ps1", ["snoops"], Options(scheduler=cluster.scheduler_address)
    )
    nb = (root / "var/autograded/snoops/ps1/ps1.ipynb").read_text()
    assert "PermissionError" in nb
    assert report.results[0].confinement, "the worker's runner reported no confinement"


def test_an_unreachable_scheduler_is_a_clear_error(course, tmp_path):
    from course.grading import GradingError
    from course.testing import free_port

    root = ck.copy_course(course, tmp_path / "course")
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(GradingError, match=f"cannot reach the Dask scheduler {address}"):
        grade(load_course(root), "ps1", options=Options(scheduler=address))


@pytest.mark.postgres
def test_a_postgresql_gradebook_gets_the_local_rows(course, local, tmp_path):
    if not pgserver.available():
        pytest.fail(f"PostgreSQL binaries not found in {pgserver.BIN}")
    server = pgserver.PostgresServer()
    server.start()
    try:
        root = ck.copy_course(course, tmp_path / "course")
        shutil.rmtree(root / "var/release")
        config = ck.config_of(root)
        config.CourseDirectory.db_url = server.url
        with ck.venv_on_path():
            from nbgrader.apps import NbGraderAPI

            result = NbGraderAPI(config=config).generate_assignment("ps1", force=True)
        assert result["success"], result["log"]
        grade(load_course(root), "ps1", options=Options(workers=2), db_url=server.url)
        assert nc.gradebook_rows(server.url) == nc.gradebook_rows(_sqlite(local))
    finally:
        server.stop()
