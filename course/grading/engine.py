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
  the final table; the batch goes on. With ``Options.as_nbgrader`` (an nbgrader
  course), a fault nbgrader would fail on leaves the submission ungraded
  instead, as nbgrader does (no ``autograded`` folder, nothing in the gradebook),
  and the report lists it as failed.

Which submissions, notebooks and files, and the folders' permissions, follow
nbgrader's own settings (``CourseDirectory.student_id``, ``student_id_exclude``,
``notebook_id``, ``ignore``; ``Autograde.create_student``, ``exclude_overwriting``,
``permissions``, ``force``; ``Execute.enabled``), read through nbgrader's classes.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import glob
import json
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Protocol

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbformat.reader import NotJSONError
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from course.grading import folders
from course.grading.execution import Job, LocalExecutor, Notebook
from course.grading.forked.client import ForkServer
from course.grading.gradebook import shared_gradebook
from course.grading.kernels import kernel_problem
from course.grading.pipeline import Pipeline, notebook_ids
from course.grading.report import (
    GradeReport,
    GradingError,
    Options,
    ProgressReporter,
    SubmissionResult,
)
from course.grading.schema_checks import fast_validation


class Executor(Protocol):
    """Where a job's notebooks run: ``LocalExecutor`` or ``cluster.DaskExecutor``."""

    capacity: int

    async def __aenter__(self) -> Executor: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def run(self, job: Job) -> None: ...


class _Failed(Exception):
    """This submission is left ungraded, as nbgrader leaves one it fails on."""


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
    ``course.grading.api``), which this call uses and stops. With
    ``options.scheduler`` the notebooks run on that Dask cluster's workers.
    """
    options = options or Options()
    if options.cell_timeout is not None:
        config = Config(config)
        config.Execute.timeout = options.cell_timeout
    _ensure_venv_on_path()
    started = time.perf_counter()
    if options.scheduler and server is not None:
        server.stop()
        server = None
    if server is None and not options.scheduler:
        server = ForkServer(source=_source_folder(config, assignment))
    if server is not None:
        server.launch()  # its imports run while the gradebook and nbgrader's pipeline are set up
    try:
        with tempfile.TemporaryDirectory(prefix="cg-") as scratch:
            run = _Run(config, assignment, options, Path(scratch))
            try:
                todo = run.select(students)
                if progress:
                    progress.start(len(todo))
                executor = _executor(server, config, options, run.source)
                with _quiet_nbgrader(), fast_validation():
                    results = asyncio.run(run.all(todo, executor, progress))
            finally:
                run.close()
    finally:
        if server is not None:
            server.stop()
    first = [r.first_cell_at for r in results if r.first_cell_at is not None]
    return GradeReport(
        assignment,
        results,
        time.perf_counter() - started,
        first_notebook_seconds=min(first) - _process_start() if first else None,
        differences=run.differences(),
    )


def _executor(
    server: ForkServer | None, config: Config, options: Options, source: Path
) -> Executor:
    if server is not None:
        return LocalExecutor(server, config, options)
    from course.grading.cluster import DaskExecutor  # imports distributed: only when asked for

    return DaskExecutor(options.scheduler or "", config, options, source)


def _process_start() -> float:
    """When this process started (wall clock): the start of ``course grade``.

    /proc gives the start in clock ticks since boot (``/proc/stat``'s boot time is
    rounded to the second, so the age is taken against the boot-time clock instead).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    return time.time() - (time.clock_gettime(time.CLOCK_BOOTTIME) - started)


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
    """State of one ``grade`` call: paths, nbgrader's settings, the gradebook (one writer)."""

    def __init__(self, config: Config, assignment: str, options: Options, scratch: Path) -> None:
        self.config = config
        self.assignment = assignment
        self.options = options
        self.scratch = scratch
        self.coursedir = CourseDirectory(config=config)
        self.coursedir.assignment_id = assignment
        self.gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        # The source rows (assignment, notebooks, cells) do not change while a run
        # grades; kept loaded after each commit, every submission does not reload them.
        # (db is a scoped_session: the setting must go to its Session.)
        self.gradebook.db().expire_on_commit = False
        self.pipeline = Pipeline(config)
        converter = self.pipeline.converter
        self.force = options.force or converter.force
        self.create_student = converter.create_student
        self.permissions = int(str(converter.permissions), 8)
        self.executes = Execute(config=config).enabled
        data = Path(self.coursedir.root) / _data_dir(self.coursedir)
        self.log_dir = data / "grading" / assignment
        self.notebooks = self._notebooks_in_gradebook()
        self.selected = [n for n in self.notebooks if self._selects(n)]
        self.source = _source_folder(config, assignment)
        exclude = converter.exclude_overwriting.get(assignment, [])
        self.source_files = folders.source_files(self.source, self.coursedir.ignore, exclude)
        self.skipped: list[SubmissionResult] = []

    def _notebooks_in_gradebook(self) -> list[str]:
        try:
            found = self.gradebook.find_assignment(self.assignment)
        except MissingEntry:
            raise GradingError(
                f"assignment {self.assignment!r} is not in the gradebook "
                f"{self.coursedir.db_url}; run `course build` (nbgrader generate_assignment) first"
            ) from None
        return sorted(notebook.name for notebook in found.notebooks)

    def _selects(self, notebook: str) -> bool:
        """``--notebook``: nbgrader's ``CourseDirectory.notebook_id``, a glob."""
        return fnmatch.fnmatchcase(notebook, str(self.coursedir.notebook_id))

    @property
    def some_notebooks(self) -> bool:
        return str(self.coursedir.notebook_id) != "*"

    def differences(self) -> list[str]:
        """Where this run's rules differ from ``nbgrader autograde``'s, for the command's output."""
        found = [
            "notebooks run in a sandbox (no network, no files outside the submission's "
            "working copy, memory, CPU and process limits): code nbgrader lets through "
            "fails here, on purpose",
            f"each notebook may run {self.options.budget_seconds:g} s in all "
            "(nbgrader has only a per-cell timeout)",
        ]
        if not self.options.as_nbgrader:
            found.append(
                "a notebook that cannot be graded is scored zero and listed "
                "(nbgrader fails the whole submission)"
            )
        return found

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

    # --- which submissions ---

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
        excluded = set(filter(None, self.coursedir.student_id_exclude.split(",")))
        wanted = [student for student in wanted if student not in excluded]
        todo = []
        for student in wanted:
            reason = self._not_now(student)
            if reason is None:
                todo.append(student)
            else:
                self.skipped.append(SubmissionResult(student, "skipped", *self._previous(student)))
                if reason:
                    self.skipped[-1].faults = [reason]
        return todo

    def _all_students(self) -> list[str]:
        """Submission folders matching ``CourseDirectory.student_id`` (``*``, or ``--student``)."""
        pattern = self.coursedir.format_path(
            self.coursedir.submitted_directory, self.coursedir.student_id, self.assignment
        )
        shape = re.escape(str(self.submitted("\0"))).replace(re.escape("\0"), "(?P<student>[^/]+)")
        found = (re.fullmatch(shape, path) for path in glob.glob(pattern))
        return sorted(match["student"] for match in found if match and os.path.isdir(match[0]))

    def _not_now(self, student: str) -> str | None:
        """None: grade it; "": already graded; else why it is not graded (nbgrader's rules)."""
        folder = self.submitted(student)
        if self.options.as_nbgrader and not any(map(self._selects, notebook_ids(str(folder)))):
            return (
                f"no notebook matching {self.coursedir.notebook_id!r} in {folder}, "
                "not graded (as nbgrader)"
            )
        return None if self._needs_grading(student) else ""

    def _needs_grading(self, student: str) -> bool:
        """nbgrader's ``init_destination`` rule: not yet autograded, forced, or submitted since."""
        dest = self.autograded(student)
        if not dest.exists() or self.force:
            return True
        if self.some_notebooks and any(
            not (dest / f"{name}.ipynb").exists() for name in self._submitted_selected(student)
        ):
            return True
        try:
            new = _timestamp(self.submitted(student))
            old = _timestamp(dest)
        except _Failed:
            return True  # grading it reports the bad timestamp
        return bool(new and old and new > old)

    def _submitted_selected(self, student: str) -> list[str]:
        return [n for n in notebook_ids(str(self.submitted(student))) if self._selects(n)]

    def close(self) -> None:
        self.gradebook.close()

    async def all(
        self, students: list[str], executor: Executor, progress: ProgressReporter | None
    ) -> list[SubmissionResult]:
        results = list(self.skipped)
        async with executor:
            pending = asyncio.Semaphore(executor.capacity)

            async def one(student: str) -> None:
                async with pending:
                    result = await self.submission(student, executor)
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

    # --- one submission ---

    async def submission(self, student: str, executor: Executor) -> SubmissionResult:
        """Sanitise, run and save every notebook of one submission."""
        started = time.perf_counter()
        result = SubmissionResult(student, "graded")
        base = self.scratch / student
        job = Job(student, base / "work")
        try:
            timestamp = self._check(student)
            self._prepare(job, result)
            if self.executes and job.notebooks:
                await executor.run(job)
            self._faults(job, result)
            self._save(student, job, timestamp, result)
            result.status = "needs a look" if result.faults else "graded"
        except _Failed as failure:
            result.status = "failed"
            result.faults.append(str(failure))
            self._leave_ungraded(student, job)
        finally:
            folders.remove(base)
        result.seconds = time.perf_counter() - started
        self._record(result)
        return result

    def _check(self, student: str) -> datetime | None:
        """The submission's timestamp; fails on a bad one, or on an unknown student if asked to."""
        timestamp = _timestamp(self.submitted(student))
        if not self.create_student:
            try:
                self.gradebook.find_student(student)
            except MissingEntry:
                raise _Failed(
                    f"no student with ID {student!r} in the gradebook "
                    "(Autograde.create_student is off)"
                ) from None
        return timestamp

    def _prepare(self, job: Job, result: SubmissionResult) -> None:
        """The working copy and the sanitised notebooks (nbgrader's first pass)."""
        student, work = job.student, job.work
        folder = self.submitted(student)
        folders.working_copy(folder, work, self.source, self.source_files, self.coursedir.ignore)
        submitted = set(notebook_ids(str(folder)))
        for notebook in self.selected:
            if notebook not in submitted:
                result.faults.append(f"{notebook}.ipynb: not submitted, scored zero")
                continue
            resources = self.pipeline.resources(
                notebook, str(work), student, self.assignment, self.coursedir.db_url
            )
            nb = self._sanitize(folder / f"{notebook}.ipynb", resources, result)
            if nb is not None:
                job.notebooks.append(Notebook(notebook, nb, resources))
        for unknown in sorted(submitted - set(self.notebooks)):
            if self._selects(unknown):
                result.faults.append(f"{unknown}.ipynb: not part of the assignment, not graded")
        if self.options.as_nbgrader and not job.notebooks and not submitted & set(self.selected):
            raise _Failed("no notebook of the assignment in the submission (nbgrader fails here)")

    def _sanitize(
        self, filename: Path, resources: ResourcesDict, result: SubmissionResult
    ) -> NotebookNode | None:
        try:
            nb = self.pipeline.sanitize(str(filename), resources, self.gradebook)
        except (NotJSONError, ValueError, KeyError, UnicodeDecodeError) as error:
            self._reject(result, f"{filename.name}: unreadable ({_short(error)})")
            return None
        except Exception as error:  # nbgrader's sanitisers reject a damaged notebook
            self._reject(result, f"{filename.name}: rejected by nbgrader ({_short(error)})")
            return None
        if self.options.as_nbgrader:
            problem = kernel_problem(nb)
            if problem:
                raise _Failed(f"{filename.name}: {problem}")
        return nb

    def _reject(self, result: SubmissionResult, reason: str) -> None:
        if self.options.as_nbgrader:
            raise _Failed(reason)
        result.faults.append(f"{reason}, scored zero")

    def _faults(self, job: Job, result: SubmissionResult) -> None:
        for notebook in job.notebooks:
            execution = notebook.execution
            if execution is None:
                continue
            result.kernel_start_seconds.append(execution.kernel_start_seconds)
            result.confinement = execution.confinement
            if execution.first_cell_at is not None and result.first_cell_at is None:
                result.first_cell_at = execution.first_cell_at
            if execution.fault:
                if self.options.as_nbgrader:
                    raise _Failed(f"{notebook.name}.ipynb: {execution.fault}")
                result.faults.append(
                    f"{notebook.name}.ipynb: {execution.fault}; "
                    f"{execution.cells_not_run} cell(s) not run scored zero"
                )

    def _save(
        self, student: str, job: Job, timestamp: datetime | None, result: SubmissionResult
    ) -> None:
        """The single write of a submission: gradebook in one transaction, then its folder."""
        try:
            with shared_gradebook(self.gradebook) as gradebook:
                outputs = self._save_grades(gradebook, student, job, timestamp, result)
            self.gradebook.db.commit()
        except BaseException:
            self.gradebook.db.rollback()
            raise
        folders.write_autograded(
            self.autograded(student),
            job.work,
            outputs,
            keep=self.some_notebooks,
            drop=self.selected,
            permissions=self.permissions,
            groupshared=self.coursedir.groupshared,
        )
        if self.coursedir.groupshared:
            folders.group_share(
                Path(self.coursedir.format_path(self.coursedir.autograded_directory, ".", "."))
            )

    def _save_grades(
        self,
        gradebook: Gradebook,
        student: str,
        job: Job,
        timestamp: datetime | None,
        result: SubmissionResult,
    ) -> dict[str, str]:
        # Held until the save ends: the session keeps rows weakly, and add_submission
        # looks the student up again (by key: from the session while it is alive).
        student_row = gradebook.update_or_create_student(student)
        extra = {"timestamp": timestamp} if timestamp else {}
        submission = gradebook.update_or_create_submission(self.assignment, student, **extra)
        gradebook.db.flush()  # the rows the preprocessors look up, which no longer autoflush
        submitted = set(notebook_ids(str(self.submitted(student))))
        for notebook in self.notebooks:  # nbgrader's rule, whatever --notebook selects
            if notebook not in submitted:
                _zero(gradebook.find_submission_notebook(notebook, self.assignment, student))
        finish = self.pipeline.finish
        outputs = {n.name: finish(n.nb, n.resources, gradebook) for n in job.notebooks}
        if not self.options.as_nbgrader:
            for notebook in self.selected:  # the kit's rule: what could not be graded scores zero
                if notebook in submitted and notebook not in outputs:
                    _zero(gradebook.find_submission_notebook(notebook, self.assignment, student))
        gradebook.db.flush()
        del student_row
        result.score = float(submission.score)
        result.max_score = float(submission.max_score)
        return outputs

    def _leave_ungraded(self, student: str, job: Job) -> None:
        """nbgrader's ``_handle_failure``: no autograded folder (with --notebook: no notebooks)."""
        dest = self.autograded(student)
        if not self.some_notebooks:
            folders.remove(dest)
        elif dest.exists() or job.work.exists():
            folders.write_autograded(
                dest,
                job.work if job.work.exists() else None,
                {},
                keep=True,
                drop=self.selected,
                permissions=self.permissions,
                groupshared=self.coursedir.groupshared,
            )

    def _record(self, result: SubmissionResult) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        record = self.log_dir / f"{result.student}.json"
        temporary = record.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(result)))
        os.replace(temporary, record)


def _timestamp(folder: Path) -> datetime | None:
    """nbgrader's ``get_existing_timestamp`` rule; a timestamp that is no date fails the submission.

    (nbgrader 0.9.6 means to fail there too, but its ``CourseDirectory.fail``
    does not exist, so it stops on an ``AttributeError``.)
    """
    path = folder / "timestamp.txt"
    if not path.exists():
        return None
    text = path.read_text().strip()
    if not text:
        return None
    try:
        moment: datetime = parse_utc(text)
    except ValueError:
        raise _Failed(f"{path}: {text[:80]!r} is not a date") from None
    return moment


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
    """The data folder nbgrader's steps live in (``var`` for the kit's config).

    In a plain nbgrader course (steps at the top), the kit's run records go to ``.course``.
    """
    return os.path.dirname(coursedir.autograded_directory) or ".course"
