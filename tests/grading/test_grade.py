"""``course.grading.grade`` against the real ``nbgrader autograde``, real kernels, hostile code."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from course.grading import Options, grade
from course.plan import load_course
from tests.grading import coursekit as ck

pytestmark = pytest.mark.slow

TIMEOUT = 2  # per cell, for both graders, so infinite loops are cheap to test


def _wrong_squares(code: str) -> dict[str, str]:
    return {**ck.CORRECT, "squares": code}


def _drop(grade_id: str):
    def edit(nb):
        nb.cells = [
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id
        ]

    return edit


def _retype(grade_id: str):
    def edit(nb):
        for i, cell in enumerate(nb.cells):
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                nb.cells[i] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)

    return edit


def _edit_test(grade_id: str, source: str):
    def edit(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                cell.source = source

    return edit


def _duplicate(grade_id: str, source: str):
    def edit(nb):
        for i, cell in enumerate(nb.cells):
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                twin = nbformat.from_dict(json.loads(json.dumps(cell)))
                twin.source = source
                nb.cells.insert(i + 1, twin)
                return

    return edit


def _fake_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "4.0"})]
            cell.execution_count = 1


SNOOP = """\
for path in ['../../gradebook.db', '../../../gradebook.db']:
    try:
        open(path, 'rb').read()
    except Exception:
        pass
try:
    open('../../../escaped.txt', 'w').write('x')
except Exception:
    pass
"""

# (student, answers, edit) — each of these nbgrader itself grades without crashing
IDENTITY_CORPUS = [
    ("correct", ck.CORRECT, None),
    ("partial", {**ck.CORRECT, "count_even": "def count_even(xs):\n    return len(xs) // 2"}, None),
    ("untouched", {}, None),
    ("raises", _wrong_squares("def squares(xs):\n    raise ValueError('no')"), None),
    (
        "warns",
        _wrong_squares(
            "import warnings\ndef squares(xs):\n"
            "    warnings.warn('careful')\n    return [x * x for x in xs]"
        ),
        None,
    ),
    ("sysexit", _wrong_squares("import sys\nsys.exit(3)"), None),
    ("loops", _wrong_squares("while True:\n    pass"), None),
    ("membomb", _wrong_squares("x = bytearray(1 << 46)"), None),
    ("snoops", _wrong_squares(SNOOP + ck.CORRECT["squares"]), None),
    ("deletes_test", ck.CORRECT, _drop("test_squares")),
    (
        "edits_test",
        {**ck.CORRECT, "count_even": "def count_even(xs):\n    return 0"},
        _edit_test("test_count_even", "4.0"),
    ),
    ("duplicates_id", ck.CORRECT, _duplicate("squares", "def squares(xs):\n    return None")),
    (
        "retypes_test",
        {**ck.CORRECT, "mean_temp": "def mean_temp(path):\n    return 0"},
        _retype("test_mean_temp"),
    ),
    ("fakes_outputs", {}, _fake_outputs),
    # what a kernel publishes, as the cell runner must publish it too
    (
        "stderr",
        _wrong_squares(
            "import sys\ndef squares(xs):\n"
            "    print('hm', file=sys.stderr)\n    return [x * x for x in xs]"
        ),
        None,
    ),
    (
        "fd_stderr",
        _wrong_squares(
            "import os\ndef squares(xs):\n"
            "    os.system('echo hm >&2')\n    return [x * x for x in xs]"
        ),
        None,
    ),
    ("asks_input", _wrong_squares("def squares(xs):\n    input('n? ')\n    return xs"), None),
    (
        "hides_errors",
        _wrong_squares(
            "get_ipython()._showtraceback = lambda *args: None\n"
            "def squares(xs):\n    raise ValueError('hidden')"
        ),
        None,
    ),
    (
        "swaps_stderr",
        _wrong_squares(
            "import io, sys, warnings\nsys.stderr = io.StringIO()\n"
            "def squares(xs):\n    warnings.warn('unseen')\n    return [x * x for x in xs]"
        ),
        None,
    ),
    (
        "displays",  # display data (a figure would need matplotlib's import: seconds under load)
        _wrong_squares(
            "from IPython.display import HTML, display\n"
            "def squares(xs):\n    display(HTML('<b>x</b>'), {'a': 1})\n    print('shown')\n"
            "    return [x * x for x in xs]"
        ),
        None,
    ),
]


@pytest.fixture(scope="module")
def graded_both(tmp_path_factory):
    """One course graded by ``nbgrader autograde`` and a copy graded by the kit."""
    base = tmp_path_factory.mktemp("identity")
    kit_root = ck.make_course(base / "kit")
    for student, answers, edit in IDENTITY_CORPUS:
        ck.submit(kit_root, student, answers, edit=edit)
    nbgrader_root = ck.copy_course(kit_root, base / "nbgrader")
    with pytest.MonkeyPatch.context() as patch:
        # ipykernel ignores fd-level output when it sees pytest; graders run as in real use
        patch.delenv("PYTEST_CURRENT_TEST", raising=False)
        started = time.perf_counter()
        options = Options(cell_timeout=TIMEOUT, workers=4)
        report = grade(load_course(kit_root), "ps1", options=options)
        kit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        ck.nbgrader_autograde(nbgrader_root, timeout=TIMEOUT)
        nbgrader_seconds = time.perf_counter() - started
    return kit_root, nbgrader_root, report, kit_seconds, nbgrader_seconds


# nbgrader 0.9.6 aborts on these: DeduplicateIds empties the twin's metadata, then
# CheckCellMetadata raises SchemaTooOldError, so the submission keeps no scores at all
NBGRADER_CRASHES = {"duplicates_id"}


def test_every_grade_cell_scores_as_nbgrader_autograde(graded_both):
    kit_root, nbgrader_root, report, *_ = graded_both
    kit, reference = ck.auto_scores(kit_root), ck.auto_scores(nbgrader_root)
    assert len(reference) == 4 * len(IDENTITY_CORPUS)
    same = {key: score for key, score in kit.items() if key[0] not in NBGRADER_CRASHES}
    assert same == {key: s for key, s in reference.items() if key[0] not in NBGRADER_CRASHES}
    assert {r.student for r in report.results} == {s for s, _, _ in IDENTITY_CORPUS}


def _outputs(root, student: str) -> list[list[tuple]]:
    """Each code cell's outputs as a kernel published them (no timing, no image bytes).

    A kernel names its cells' files after its pid (``/tmp/ipykernel_<pid>/``),
    which differs from run to run; that part is left out.
    """
    nb = nbformat.read(root / f"var/autograded/{student}/ps1/ps1.ipynb", as_version=4)

    def same_pid(text):
        if isinstance(text, list):
            return [same_pid(line) for line in text]
        return re.sub(r"ipykernel_\d+", "ipykernel_<pid>", text) if text else text

    return [
        [
            (
                out.output_type,
                out.get("name"),
                same_pid(out.get("text")),
                out.get("ename"),
                out.get("evalue"),
                same_pid(out.get("traceback")),
                sorted(out.get("data", {})),
                out.get("data", {}).get("text/plain"),
            )
            for out in cell.outputs
        ]
        for cell in nb.cells
        if cell.cell_type == "code"
    ]


def test_outputs_are_those_of_a_kernel(graded_both):
    """Streams, display data, results and tracebacks (colours included) as nbgrader's kernel's."""
    kit_root, nbgrader_root, *_ = graded_both
    for student, _, _ in IDENTITY_CORPUS:
        if student not in NBGRADER_CRASHES | {"loops", "membomb"}:
            assert _outputs(kit_root, student) == _outputs(nbgrader_root, student), student


def test_where_nbgrader_crashes_the_kit_records_a_clear_result(graded_both):
    kit_root, nbgrader_root, report, *_ = graded_both
    kit, reference = ck.auto_scores(kit_root), ck.auto_scores(nbgrader_root)
    for student in NBGRADER_CRASHES:
        assert {s for k, s in reference.items() if k[0] == student} == {None}
        assert {s for k, s in kit.items() if k[0] == student} == {0.0}
        faults = next(r.faults for r in report.results if r.student == student)
        assert "rejected by nbgrader (SchemaTooOldError" in faults[0]


def test_scores_are_not_all_the_same(graded_both):
    """Guards the identity test: the corpus must produce full, partial and zero scores."""
    kit_root, *_ = graded_both
    scores = ck.auto_scores(kit_root)
    assert scores[("correct", "ps1", "test_count_even")] == 4.0
    assert scores[("partial", "ps1", "test_count_even")] == pytest.approx(1.6)
    assert scores[("warns", "ps1", "test_squares")] == 0.0
    assert scores[("edits_test", "ps1", "test_count_even")] == pytest.approx(1.6)  # not 4.0
    for student in ("stderr", "fd_stderr", "asks_input", "hides_errors"):
        assert scores[(student, "ps1", "test_squares")] == 0.0, student
    assert scores[("swaps_stderr", "ps1", "test_squares")] == 2.0
    assert scores[("displays", "ps1", "test_squares")] == 2.0


def test_autograded_notebooks_restore_the_hidden_tests(graded_both):
    kit_root, nbgrader_root, *_ = graded_both
    for root in (kit_root, nbgrader_root):
        nb = nbformat.read(root / "var/autograded/correct/ps1/ps1.ipynb", as_version=4)
        assert "squares([-3]) == [9]" in "".join(cell.source for cell in nb.cells)
        assert (root / "var/autograded/correct/ps1/temps.csv").exists()


def test_submissions_never_escape_the_working_copy(graded_both):
    kit_root, nbgrader_root, *_ = graded_both
    assert (nbgrader_root / "var" / "escaped.txt").exists()  # nbgrader lets it through
    assert not (kit_root / "var" / "escaped.txt").exists()


def test_nbgrader_export_reads_the_kit_gradebook(graded_both):
    kit_root, *_ = graded_both
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    config = kit_root / "nbgrader_config.py"
    config.write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(kit_root)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{kit_root}/var/gradebook.db'\n"
        "c.CourseDirectory.course_id = 'testcourse'\n"
    )
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "nbgrader"), "export", "--to", "grades.csv"],
        cwd=kit_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = (kit_root / "grades.csv").read_text().splitlines()
    assert len(lines) == 1 + len(IDENTITY_CORPUS)


# --- hostile code that nbgrader itself does not survive: the kit records a result ---

SECRETS = """\
import os, socket
found = []
for path in {paths!r}:
    try:
        with open(path, 'rb') as f:
            found.append(('READ', path, f.read()[:20]))
    except Exception as error:
        found.append(('DENIED', path, type(error).__name__))
try:
    socket.create_connection(('1.1.1.1', 53), timeout=1)
    found.append(('NET',))
except Exception as error:
    found.append(('DENIED', 'net', type(error).__name__))
print(found)
print(sorted(os.listdir('.')))
"""

# Unique to this test process: another pytest worker may be grading its own fork bomb.
_BOMB_SLEEP = f"600.{os.getpid()}"
FORK_BOMB = """\
import os, time
children = 0
for _ in range(100000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        try:  # out of the kernel's process group, under a name the test looks for
            os.setsid()
            os.execv('/bin/sleep', ['sleep', 'SECONDS'])
        finally:
            os._exit(0)
    children += 1
print('forked', children)
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = ck.make_course(tmp_path_factory.mktemp("hostile") / "course")
    secrets = [
        str(root / "var" / "gradebook.db"),
        str(root / "exercises" / "ps1" / "ps1.ipynb"),
        str(root / "var" / "release" / "ps1" / "ps1.ipynb"),
        str(root / "var" / "submitted" / "correct" / "ps1" / "ps1.ipynb"),
    ]
    ck.submit(root, "correct", ck.CORRECT)
    ck.submit(root, "snoop", _wrong_squares(SECRETS.format(paths=secrets) + ck.CORRECT["squares"]))
    ck.submit(root, "exits", _wrong_squares("import os\nos._exit(1)"))
    bomb = FORK_BOMB.replace("SECONDS", _BOMB_SLEEP)
    ck.submit(root, "forkbomb", _wrong_squares(bomb + ck.CORRECT["squares"]))
    ck.submit(root, "floods", _wrong_squares("for i in range(10_000_000):\n    print(i)"))
    ck.submit(root, "garbage", {}, raw="this is not a notebook")
    folder = ck.submit(root, "nothing", {})
    (folder / "ps1.ipynb").unlink()
    started = time.perf_counter()
    report = grade(
        load_course(root),
        "ps1",
        options=Options(cell_timeout=TIMEOUT, workers=3, budget_seconds=20),
    )
    return root, report, time.perf_counter() - started, secrets


def _result(report, student):
    return next(r for r in report.results if r.student == student)


def test_hostile_code_cannot_read_the_gradebook_sources_or_other_students(hostile):
    root, report, _, secrets = hostile
    nb = nbformat.read(root / "var/autograded/snoop/ps1/ps1.ipynb", as_version=4)
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    for path in secrets:
        assert f"('DENIED', {path!r}, 'PermissionError')" in printed
    assert "'READ'" not in printed
    assert "('NET',)" not in printed
    assert "['ps1.ipynb', 'temps.csv', 'timestamp.txt']" in printed
    assert _result(report, "snoop").score == 9.0
    assert "landlock" in " ".join(_result(report, "snoop").confinement)


def test_faults_stay_with_their_submission(hostile):
    root, report, _, _ = hostile
    assert _result(report, "correct").score == 9.0 and not _result(report, "correct").faults
    reasons = {r.student: " ".join(r.faults) for r in report.needs_look}
    assert "kernel died" in reasons["exits"]
    assert "unreadable" in reasons["garbage"]
    assert "not submitted" in reasons["nothing"]
    scores = ck.auto_scores(root)
    for student in ("exits", "garbage", "nothing"):
        assert scores[(student, "ps1", "test_squares")] == 0.0
    assert scores[("exits", "ps1", "explain")] is None  # the manual answer still waits for a person
    assert scores[("floods", "ps1", "test_mean_temp")] == 3.0


def test_fork_bomb_is_capped_and_reaped(hostile):
    root, report, _, _ = hostile
    nb = nbformat.read(root / "var/autograded/forkbomb/ps1/ps1.ipynb", as_version=4)
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    forked = int(printed.split("forked")[1].split()[0])
    assert 0 < forked < 64
    assert _result(report, "forkbomb").score == 9.0
    leftovers = subprocess.run(  # this test's own fork servers: other runs share the machine
        ["pgrep", "-P", str(os.getpid()), "-f", "course.grading.forked.server"],
        capture_output=True,
        text=True,
    )
    assert leftovers.stdout.strip() == ""
    children = subprocess.run(["pgrep", "-f", f"sleep {_BOMB_SLEEP}"], capture_output=True)
    assert children.stdout.strip() == b""  # all died with their kernel, setsid or not
    if os.geteuid() == 0:
        assert {"pid-namespace", "net-namespace"} <= set(_result(report, "forkbomb").confinement)


def test_infinite_loops_cost_no_more_than_the_budget(tmp_path):
    root = ck.make_course(tmp_path / "course")
    loop = "while True:\n    pass"
    ck.submit(
        root,
        "loops",
        {key: loop for key in ("squares", "mean_temp", "count_even")},
        edit=_edit_all_tests(loop),
    )
    report = grade(load_course(root), "ps1", options=Options(cell_timeout=30, budget_seconds=3))
    assert report.results[0].seconds < 8  # not 3 cells x 30 s
    assert "time budget of 3 s" in report.results[0].faults[0]
    assert ck.auto_scores(root)[("loops", "ps1", "test_count_even")] == 0.0


def _edit_all_tests(source: str):
    def edit(nb):
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = source

    return edit


# --- resumable ---

RUNNER = """\
import sys
from course.grading import Options, grade
from course.plan import load_course
grade(load_course(sys.argv[1]), "ps1", options=Options(workers=2))
"""


def test_sigkill_half_way_then_rerun_gives_the_clean_gradebook(tmp_path):
    root = ck.make_course(tmp_path / "killed")
    variants = [ck.CORRECT, {}, _wrong_squares("def squares(xs):\n    return xs")]
    for i in range(8):
        ck.submit(root, f"s{i:02d}", variants[i % 3])
    clean = ck.copy_course(root, tmp_path / "clean")
    grade(load_course(clean), "ps1", options=Options(workers=2))

    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(root)], start_new_session=True)
    records = root / "var" / "grading" / "ps1"
    deadline = time.monotonic() + 120
    while len(list(records.glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = len(list(records.glob("*.json")))
    assert 3 <= done_before < 8, "the kill must land half way"

    report = grade(load_course(root), "ps1", options=Options(workers=2))
    assert len(report.graded) <= 8 - done_before + 2  # in-flight ones may be redone, nothing more
    assert ck.auto_scores(root) == ck.auto_scores(clean)
    graded = sorted(p.parent.name for p in (root / "var/autograded").glob("*/ps1"))
    assert graded == [f"s{i:02d}" for i in range(8)]
    assert not list((root / "var/autograded").glob("*/.ps1.partial-*"))


def test_rerun_skips_graded_and_force_regrades(hostile):
    root, first, _, _ = hostile
    again = grade(load_course(root), "ps1", students=["correct", "garbage"])
    assert [r.status for r in again.results] == ["skipped", "skipped"]
    assert "unreadable" in again.results[1].faults[0]  # the earlier fault is still reported
    forced = grade(load_course(root), "ps1", students=["correct"], options=Options(force=True))
    assert [r.status for r in forced.results] == ["graded"]
    assert forced.results[0].score == _result(first, "correct").score == 9.0


def test_cli_exits_zero_with_a_table_when_submissions_need_a_look(hostile):
    from click.testing import CliRunner

    from course.cli import main

    root, *_ = hostile
    args = ["--course", str(root), "grade", "ps1", "--student", "garbage", "--student", "exits"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Submissions that need a look" in result.output
    assert "unreadable" in result.output and "kernel died" in result.output
    assert "SAWarning" not in result.output

    failed = CliRunner().invoke(
        main, ["--course", str(root), "grade", "ps1", "--student", "nobody"]
    )
    assert failed.exit_code == 1
    assert "no submission of 'ps1' for nobody" in failed.output


def test_fork_server_kernels_start_fast(hostile):
    _, report, _, _ = hostile
    starts = sorted(s for r in report.results for s in r.kernel_start_seconds)
    assert len(starts) >= 4
    assert starts[len(starts) // 2] < 1.0, textwrap.shorten(str(starts), 200)
