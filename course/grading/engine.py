"""``grade``: many submissions at once, one writer, resumable, every fault kept to its submission.

The loop per submission mirrors ``nbgrader autograde`` (``Autograde.init_assignment``
and ``convert_single_notebook``): create the student and submission rows, zero
the notebooks that were not submitted, sanitise, execute, save the auto grades,
write ``autograded/<student>/<assignment>/``. What differs is how:

* notebooks run concurrently on forked, sandboxed kernels (``kernel``, ``sandbox``);
* everything a submission writes to the gradebook is one transaction, committed
  by the single event-loop thread after all its notebooks ran, *then* its
  ``autograded`` folder is moved into place. A kill at any moment leaves either
  nothing or a complete submission; the rerun skips exactly the submissions
  whose ``autograded`` folder exists (nbgrader's own rule, so nbgrader and the
  kit agree on what is done), and regrading is idempotent;
* a fault (corrupt file, dead kernel, budget spent) zeroes only what could not
  run, is written to ``var/grading/<assignment>/<student>.json`` and shown in
  the final table; the batch goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

from nbformat.reader import NotJSONError
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from course import sandbox
from course.grading.forked.client import CellRunner, ForkServer
from course.grading.gradebook import shared_gradebook
from course.grading.pipeline import Pipeline, notebook_ids
from course.grading.report import (
    GradeReport,
    GradingError,
    Options,
    ProgressReporter,
    SubmissionResult,
)
from course.grading.schema_checks import fast_validation


def grade_config(
    config: Config,
    assignment: str,
    students: Iterable[str] | None = None,
    options: Options | None = None,
    progress: ProgressReporter | None = None,
    server: ForkServer | None = None,
) -> GradeReport:
    """Autograde ``assignment`` for the course described by an nbgrader ``config``.

    ``server``: a fork server already launched for this assignment (see
    ``course.grading.api``), which this call uses and stops.
    """
    options = options or Options()
    if options.cell_timeout is not None:
        config = Config(config)
        config.Execute.timeout = options.cell_timeout
    _ensure_venv_on_path()
    started = time.perf_counter()
    if server is None:
        server = ForkServer(source=_source_folder(config, assignment))
    server.launch()  # its imports run while the gradebook and nbgrader's pipeline are set up
    try:
        with tempfile.TemporaryDirectory(prefix="cg-") as scratch:
            run = _Run(config, assignment, options)
            todo = run.select(students)
            if progress:
                progress.start(len(todo))
            with server, _quiet_nbgrader():
                run.attach(server, Path(scratch))
                with fast_validation():
                    results = asyncio.run(run.all(todo, progress))
            run.close()
    finally:
        server.stop()
    return GradeReport(assignment, results, time.perf_counter() - started)


@contextlib.contextmanager
def _quiet_nbgrader() -> Iterator[None]:
    """Hide the SAWarnings nbgrader's own ``update_or_create_submission`` raises.

    ``Gradebook.update_or_create_submission`` builds a ``SubmittedAssignment`` and its
    ``SubmittedNotebook`` rows before adding them, so SQLAlchemy's autoflush warns
    "not in session, add operation ... will not proceed" for every new submission.
    Plain ``nbgrader autograde`` prints the very same warnings; the rows are added
    right after, so nothing is lost, and the grader's output stays readable.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r".* not in session, add operation along ", category=SAWarning
        )
        yield


def _ensure_venv_on_path() -> None:
    """nbgrader runs ``alembic`` from PATH; make ``.venv/bin`` findable without activation."""
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class _Run:
    """State of one ``grade`` call: paths, the gradebook (one writer), kernel slots."""

    def __init__(self, config: Config, assignment: str, options: Options) -> None:
        self.config = config
        self.assignment = assignment
        self.options = options
        self.coursedir = CourseDirectory(config=config)
        self.coursedir.assignment_id = assignment
        self.gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        # The source rows (assignment, notebooks, cells) do not change while a run
        # grades; kept loaded after each commit, every submission does not reload them.
        # (db is a scoped_session: the setting must go to its Session.)
        self.gradebook.db().expire_on_commit = False
        self.pipeline = Pipeline(config)
        self.log_dir = (
            Path(self.coursedir.root) / _data_dir(self.coursedir) / "grading" / assignment
        )
        self.notebooks = self._notebooks_in_gradebook()
        self.workers = options.workers or 4 * (os.cpu_count() or 1)
        self.source = _source_folder(config, assignment)
        self.server: ForkServer | None = None
        self.scratch = Path()
        self.cgroup: Path | None = None

    def _notebooks_in_gradebook(self) -> list[str]:
        try:
            found = self.gradebook.find_assignment(self.assignment)
        except MissingEntry:
            raise GradingError(
                f"assignment {self.assignment!r} is not in the gradebook "
                f"{self.coursedir.db_url}; run `course build` (nbgrader generate_assignment) first"
            ) from None
        return sorted(notebook.name for notebook in found.notebooks)

    def submitted(self, student: str) -> Path:
        return Path(
            self.coursedir.format_path(self.coursedir.submitted_directory, student, self.assignment)
        )

    def autograded(self, student: str) -> Path:
        return Path(
            self.coursedir.format_path(
                self.coursedir.autograded_directory, student, self.assignment
            )
        )

    def select(self, students: Iterable[str] | None) -> list[str]:
        """Students to grade now: those asked for (or all submitted) minus those already done."""
        wanted = sorted(set(students)) if students else self._all_students()
        missing = [student for student in wanted if not self.submitted(student).is_dir()]
        if missing:
            raise GradingError(
                f"no submission of {self.assignment!r} for {', '.join(missing)} "
                f"(looked in {self.submitted(missing[0])})"
            )
        if not wanted:
            raise GradingError(f"no submissions of {self.assignment!r} in {self.submitted('*')}")
        self.skipped = [student for student in wanted if not self._needs_grading(student)]
        return [student for student in wanted if student not in self.skipped]

    def _all_students(self) -> list[str]:
        pattern = self.submitted("*")
        return sorted(
            path.parent.name
            for path in pattern.parent.parent.glob(f"*/{self.assignment}")
            if path.is_dir()
        )

    def _needs_grading(self, student: str) -> bool:
        """nbgrader's ``init_destination`` rule: not yet autograded, or submitted again since."""
        if self.options.force or not self.autograded(student).exists():
            return True
        new = self.coursedir.get_existing_timestamp(str(self.submitted(student)))
        old = self.coursedir.get_existing_timestamp(str(self.autograded(student)))
        return bool(new and old and new > old)

    def attach(self, server: ForkServer, scratch: Path) -> None:
        self.server = server
        self.scratch = scratch
        self.ipython_dir = server.ipython_dir
        self.read_paths = [str(path) for path in sandbox.system_read_paths()]
        self.read_paths.append(str(self.ipython_dir))
        root = sandbox.pids_cgroup_root() if server.root else None
        if root is not None:
            self.cgroup = root / f"course-grade-{os.getpid()}"
            self.cgroup.mkdir(exist_ok=True)

    def close(self) -> None:
        self.gradebook.close()
        if self.cgroup is not None:
            for group in sorted(self.cgroup.glob("slot*"), reverse=True):
                _rmdir_quietly(group)
            _rmdir_quietly(self.cgroup)

    async def all(
        self, students: list[str], progress: ProgressReporter | None
    ) -> list[SubmissionResult]:
        self.slots: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(self.workers):
            self.slots.put_nowait(slot)
        pending = asyncio.Semaphore(self.workers)
        results = [SubmissionResult(s, "skipped", *self._previous(s)) for s in self.skipped]

        async def one(student: str) -> None:
            async with pending:
                result = await self.submission(student)
            results.append(result)
            if progress:
                progress.advance(result)

        await asyncio.gather(*(one(student) for student in students))
        return sorted(results, key=lambda result: result.student)

    def _previous(self, student: str) -> tuple[float, float, list[str]]:
        record = self.log_dir / f"{student}.json"
        if not record.exists():
            return 0.0, 0.0, []
        data = json.loads(record.read_text())
        return data.get("score", 0.0), data.get("max_score", 0.0), data.get("faults", [])

    async def submission(self, student: str) -> SubmissionResult:
        """Sanitise, run and save every notebook of one submission."""
        started = time.perf_counter()
        result = SubmissionResult(student, "graded")
        folder = self.submitted(student)
        executed: dict[str, tuple[object, object]] = {}
        for notebook in self.notebooks:
            outcome = await self._notebook(student, notebook, folder, result)
            if outcome is not None:
                executed[notebook] = outcome
        for unknown in set(notebook_ids(str(folder))) - set(self.notebooks):
            result.faults.append(f"{unknown}.ipynb: not part of the assignment, not graded")
        self._save(student, executed, result)
        result.status = "needs a look" if result.faults else "graded"
        result.seconds = time.perf_counter() - started
        self._record(result)
        return result

    async def _notebook(self, student: str, notebook: str, folder: Path, result: SubmissionResult):
        filename = folder / f"{notebook}.ipynb"
        if not filename.exists():
            result.faults.append(f"{notebook}.ipynb: not submitted, scored zero")
            return None
        slot = await self.slots.get()
        try:
            work = self._working_copy(slot, folder)
            resources = self.pipeline.resources(
                notebook, str(work), student, self.assignment, self.coursedir.db_url
            )
            try:
                nb = self.pipeline.sanitize(str(filename), resources, self.gradebook)
            except (NotJSONError, ValueError, KeyError, UnicodeDecodeError) as error:
                result.faults.append(f"{notebook}.ipynb: unreadable ({_short(error)}), scored zero")
                return None
            except Exception as error:  # nbgrader's sanitisers reject a damaged notebook
                result.faults.append(
                    f"{notebook}.ipynb: rejected by nbgrader ({_short(error)}), scored zero"
                )
                return None
            runner = CellRunner(self.server, self._sandbox(slot, work))
            execution = await self.pipeline.execute(
                nb, resources, runner, self.options.budget_seconds
            )
            result.kernel_start_seconds.append(execution.kernel_start_seconds)
            result.confinement = execution.confinement
            if execution.fault:
                result.faults.append(
                    f"{notebook}.ipynb: {execution.fault}; "
                    f"{execution.cells_not_run} cell(s) not run scored zero"
                )
            return nb, resources
        finally:
            self.slots.put_nowait(slot)

    def _working_copy(self, slot: int, folder: Path) -> Path:
        """A fresh private folder: the submission's files, then the assignment's other files."""
        base = self.scratch / str(slot)
        shutil.rmtree(base, ignore_errors=True)
        (base / "run" / "tmp").mkdir(parents=True)
        work = base / "work"
        shutil.copytree(
            folder, work, symlinks=False, ignore=shutil.ignore_patterns(*self.coursedir.ignore)
        )
        for source_file in self._source_files():
            target = work / os.path.relpath(source_file, self.source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source_file, target)
        return work

    def _source_files(self) -> list[str]:
        exclude = self.config.Autograde.get("exclude_overwriting", {}).get(self.assignment, [])
        files = set(find_all_files(str(self.source), [*self.coursedir.ignore, "*.ipynb"]))
        return sorted(files - {str(self.source / name) for name in exclude})

    def _sandbox(self, slot: int, work: Path) -> dict:
        run = work.parent / "run"
        return {
            "run_dir": str(run),
            "cwd": str(work),
            "read": self.read_paths,
            "write": [str(work.parent)],
            "landlock": self.options.landlock,
            "limits": asdict(self.options.limits),
            "cgroup": str(self.cgroup / f"slot{slot}") if self.cgroup else None,
            "env": {
                "NBGRADER_EXECUTION": "autograde",
                "TMPDIR": str(run / "tmp"),
                "IPYTHONDIR": str(self.ipython_dir),  # shared, read-only: no profile to create
                "MPLCONFIGDIR": str(run / "matplotlib"),
            },
        }

    def _save(self, student: str, executed: dict, result: SubmissionResult) -> None:
        """The single write of a submission: gradebook in one transaction, then its folder."""
        try:
            with shared_gradebook(self.gradebook) as gradebook:
                outputs = self._save_grades(gradebook, student, executed, result)
            self.gradebook.db.commit()
        except BaseException:
            self.gradebook.db.rollback()
            raise
        self._write_folder(student, outputs)

    def _save_grades(
        self, gradebook: Gradebook, student: str, executed: dict, result: SubmissionResult
    ) -> dict[str, str]:
        # Held until the save ends: the session keeps rows weakly, and add_submission
        # looks the student up again (by key: from the session while it is alive).
        student_row = gradebook.update_or_create_student(student)
        timestamp = self.coursedir.get_existing_timestamp(str(self.submitted(student)))
        extra = {"timestamp": timestamp} if timestamp else {}
        submission = gradebook.update_or_create_submission(self.assignment, student, **extra)
        gradebook.db.flush()  # the rows the preprocessors look up, which no longer autoflush
        outputs = {}
        for notebook in self.notebooks:
            if notebook in executed:
                nb, resources = executed[notebook]
                outputs[notebook] = self.pipeline.finish(nb, resources, gradebook)
            else:
                _zero(gradebook.find_submission_notebook(notebook, self.assignment, student))
        gradebook.db.flush()
        del student_row
        result.score = float(submission.score)
        result.max_score = float(submission.max_score)
        return outputs

    def _write_folder(self, student: str, outputs: dict[str, str]) -> None:
        dest = self.autograded(student)
        partial = dest.parent / f".{dest.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(
            self.submitted(student),
            partial,
            ignore=shutil.ignore_patterns(*self.coursedir.ignore, "*.ipynb"),
        )
        for source_file in self._source_files():
            target = partial / os.path.relpath(source_file, self.source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source_file, target)
        for notebook, text in outputs.items():
            (partial / f"{notebook}.ipynb").write_text(text, encoding="utf-8")
        for path in partial.rglob("*"):
            if path.is_file():
                path.chmod(0o444 if not self.coursedir.groupshared else 0o664)
        if dest.exists():
            _make_writable(dest)
            shutil.rmtree(dest)
        os.rename(partial, dest)

    def _record(self, result: SubmissionResult) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        record = self.log_dir / f"{result.student}.json"
        temporary = record.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(result)))
        os.replace(temporary, record)


def _source_folder(config: Config, assignment: str) -> Path:
    coursedir = CourseDirectory(config=config)
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment))


def _zero(notebook: object) -> None:
    """nbgrader's rule for a notebook that was not submitted: zero, nothing to grade by hand."""
    for grade in notebook.grades:  # type: ignore[attr-defined]
        grade.auto_score = 0
        grade.needs_manual_grade = False


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"


def _data_dir(coursedir: CourseDirectory) -> str:
    """The data folder nbgrader's steps live in (``var`` for the kit's config)."""
    return os.path.dirname(coursedir.autograded_directory) or "."


def _make_writable(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o644)


def _rmdir_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()
