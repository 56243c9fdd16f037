"""The run's one gradebook, lent to nbgrader's preprocessors and functions.

nbgrader's preprocessors open a new ``Gradebook`` for every notebook (an
engine, a schema check, a course check: tens of milliseconds each). While they
run, ``shared_gradebook`` points them at the one gradebook of the run, whose
commits are deferred, so one submission is written in one transaction by the
run's single writer. Lookups of rows that do not change during a run are
answered from memory; the queries and row writes nbgrader repeats for every
submission are made cheaper, with the same rows as a result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy
from nbgrader import api, utils
from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from nbgrader.preprocessors import (
    latesubmissions,
    overwritecells,
    overwritekernelspec,
    saveautogrades,
)
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import FlushError

_GRADEBOOK_USERS = (overwritecells, overwritekernelspec, saveautogrades, latesubmissions)


class _DeferredCommit:
    """A session whose ``commit`` waits: the caller commits once, at the end."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def commit(self) -> None:
        """Nothing yet: autoflush keeps queries right, and the caller flushes and commits once."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class _SourceRow:
    """A read-only copy of a source, grade or task cell row (its columns, as attributes)."""

    def __init__(self, row: Any) -> None:
        for column in sqlalchemy.inspect(row).mapper.column_attrs:
            setattr(self, column.key, getattr(row, column.key))


class BorrowedGradebook(Gradebook):  # type: ignore[misc]  # nbgrader is untyped: Gradebook is Any
    """The run's gradebook lent to a preprocessor: closing it is a no-op, commits are deferred.

    The source's cells do not change while a run grades, yet ``OverwriteCells``
    looks every cell up again for every submission (a five-table join each, and a
    reload after each commit). ``find_source_cell`` and ``find_graded_cell`` answer
    from copies of the rows made on first use, kept for the whole run. So are the
    assignment's row object, and which students and which submissions already
    exist (one query each): the run is the gradebook's only writer while it
    grades. ``add_submission`` writes a submission's grade and comment rows as
    two inserts.
    """

    def __init__(self, gradebook: Gradebook) -> None:  # no super(): the engine already exists
        self.__dict__.update(gradebook.__dict__)
        self.db = _DeferredCommit(gradebook.db)
        # kept on the run's gradebook: each borrowing (one per step) shares them
        self._source_rows: dict[tuple[str, ...], _SourceRow | None] = gradebook.__dict__.setdefault(
            "_kit_source_rows", {}
        )
        self._run_rows: dict[str | tuple[str, ...], Any] = gradebook.__dict__.setdefault(
            "_kit_run_rows", {}
        )
        # this submission's rows, for this borrowing only: (finder, *key) -> row
        self._found_rows: dict[tuple[Any, ...], Any] = {}
        self._submitted_rows: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}

    def close(self) -> None:
        pass

    def _source_row(self, finder: Any, *key: str) -> Any:
        cache_key = (finder.__name__, *key)
        if cache_key not in self._source_rows:
            try:
                self._source_rows[cache_key] = _SourceRow(finder(self, *key))
            except MissingEntry:
                self._source_rows[cache_key] = None
        row = self._source_rows[cache_key]
        if row is None:
            raise MissingEntry()
        return row

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> Any:
        return self._source_row(Gradebook.find_source_cell, name, notebook, assignment)

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> Any:
        return self._source_row(Gradebook.find_graded_cell, name, notebook, assignment)

    def find_notebook(self, name: str, assignment: str) -> Any:
        """The source notebook row (``OverwriteKernelspec`` reads its kernelspec)."""
        return self._source_row(Gradebook.find_notebook, name, assignment)

    def find_assignment(self, name: str) -> Any:
        """The assignment's row object, found once a run (every new submission asks for it)."""
        found = self._run_rows.get(("assignment", name))
        if found is None:
            found = self._run_rows[("assignment", name)] = Gradebook.find_assignment(self, name)
        return found

    def find_student(self, student_id: str) -> Any:
        """By primary key, so the student just flushed comes from the session, not a query.

        A student not in the gradebook yet (most, on a first run) is known
        absent from the run's list of students, loaded in one query.
        """
        if self.db.autoflush:
            self.db.flush()  # as the query would
        student = None
        if student_id in self._students():
            student = self.db.get(api.Student, student_id)
        if student is None:
            raise MissingEntry(f"No such student: {student_id}")
        return student

    def add_student(self, student_id: str, **kwargs: Any) -> Any:
        student = Gradebook.add_student(self, student_id, **kwargs)
        self._students().add(student_id)
        return student

    def _students(self) -> set[str]:
        if "students" not in self._run_rows:
            self._run_rows["students"] = {student for (student,) in self.db.query(api.Student.id)}
        students: set[str] = self._run_rows["students"]
        return students

    def find_submission(self, assignment: str, student: str) -> Any:
        """The submission being saved, found once (late penalties ask for every notebook).

        Whether it exists at all is answered from the run's list of students who
        have one, loaded in one query: nbgrader asks before creating each one.
        """
        if student not in self._submitters(assignment):
            raise MissingEntry(f"No such submission: {assignment} for {student}")
        return self._found(Gradebook.find_submission, assignment, student)

    def _submitters(self, assignment: str) -> set[str]:
        key = ("submitters", assignment)
        if key not in self._run_rows:
            rows = (
                self.db.query(api.SubmittedAssignment.student_id)
                .join(api.Assignment, api.Assignment.id == api.SubmittedAssignment.assignment_id)
                .filter(api.Assignment.name == assignment)
            )
            self._run_rows[key] = {student for (student,) in rows}
        submitters: set[str] = self._run_rows[key]
        return submitters

    def add_submission(self, assignment: str, student: str, **kwargs: Any) -> Any:
        """nbgrader's ``add_submission``, its grade and comment rows written as two inserts.

        The same rows as nbgrader's (a submitted notebook per notebook, a grade
        per grade cell, a comment per solution cell, both per task cell, each
        with the table's defaults); the ORM's unit of work spent about 5 ms a
        submission on those dozen objects alone.
        """
        if "timestamp" in kwargs:
            kwargs["timestamp"] = utils.parse_utc(kwargs["timestamp"])
        try:
            submission = api.SubmittedAssignment(
                assignment=self.find_assignment(assignment),
                student=self.find_student(student),
                **kwargs,
            )
            notebooks = [
                (api.SubmittedNotebook(notebook=notebook, assignment=submission), notebook)
                for notebook in submission.assignment.notebooks
            ]
            self.db.add(submission)
            self.db.flush()  # the submitted notebooks' ids, for the rows below
            grades, comments = [], []
            for submitted, notebook in notebooks:
                cells = notebook.grade_cells + notebook.task_cells
                grades += [{"notebook_id": submitted.id, "cell_id": cell.id} for cell in cells]
                cells = notebook.solution_cells + notebook.task_cells
                comments += [{"notebook_id": submitted.id, "cell_id": cell.id} for cell in cells]
            for table, rows in ((api.Grade.__table__, grades), (api.Comment.__table__, comments)):
                if rows:
                    self.db.execute(sqlalchemy.insert(table), rows)
        except (IntegrityError, FlushError, StatementError) as error:
            self.db.rollback()
            raise InvalidEntry(*error.args) from None
        # late penalties look it up
        self._found_rows[(Gradebook.find_submission, assignment, student)] = submission
        self._submitters(assignment).add(student)
        return submission

    def find_submission_notebook(self, notebook: str, assignment: str, student: str) -> Any:
        return self._found(Gradebook.find_submission_notebook, notebook, assignment, student)

    def _found(self, finder: Any, *key: str) -> Any:
        """``finder``'s answer, kept for this submission's save once it exists (misses are not)."""
        cache_key = (finder, *key)
        if cache_key not in self._found_rows:
            self._found_rows[cache_key] = finder(self, *key)
        return self._found_rows[cache_key]

    def find_grade(self, grade_cell: str, notebook: str, assignment: str, student: str) -> Any:
        """``SaveAutoGrades``' lookup, from one query for the whole submitted notebook."""
        return self._submitted_row(
            api.Grade, (api.GradeCell, api.TaskCell), grade_cell, notebook, assignment, student
        )

    def find_comment(self, solution_cell: str, notebook: str, assignment: str, student: str) -> Any:
        return self._submitted_row(
            api.Comment,
            (api.SolutionCell, api.TaskCell),
            solution_cell,
            notebook,
            assignment,
            student,
        )

    def _submitted_row(
        self,
        model: Any,
        kinds: tuple[Any, ...],
        name: str,
        notebook: str,
        assignment: str,
        student: str,
    ) -> Any:
        """nbgrader's rule: the row of the first cell kind having that name, else missing."""
        key = (model, notebook, assignment, student)
        rows = self._submitted_rows
        if key not in rows:
            found = (
                self.db.query(model, api.BaseCell)
                .join(api.BaseCell, api.BaseCell.id == model.cell_id)
                .join(api.SubmittedNotebook, api.SubmittedNotebook.id == model.notebook_id)
                .join(api.Notebook, api.Notebook.id == api.SubmittedNotebook.notebook_id)
                .join(
                    api.SubmittedAssignment,
                    api.SubmittedAssignment.id == api.SubmittedNotebook.assignment_id,
                )
                .join(api.Assignment, api.Assignment.id == api.SubmittedAssignment.assignment_id)
                .join(api.Student, api.Student.id == api.SubmittedAssignment.student_id)
                .filter(
                    api.Notebook.name == notebook,
                    api.Assignment.name == assignment,
                    api.Student.id == student,
                )
                .all()
            )
            rows[key] = [(row, cell) for row, cell in found]
        for kind in kinds:
            for row, cell in rows[key]:
                if type(cell) is kind and cell.name == name:
                    return row
        raise MissingEntry()


@contextlib.contextmanager
def shared_gradebook(gradebook: Gradebook) -> Iterator[BorrowedGradebook]:
    """Make nbgrader's preprocessors use ``gradebook`` instead of opening their own."""
    borrowed = (
        gradebook if isinstance(gradebook, BorrowedGradebook) else BorrowedGradebook(gradebook)
    )
    saved = [module.Gradebook for module in _GRADEBOOK_USERS]
    for module in _GRADEBOOK_USERS:
        module.Gradebook = lambda *args, **kwargs: borrowed
    try:
        yield borrowed
    finally:
        for module, original in zip(_GRADEBOOK_USERS, saved, strict=True):
            module.Gradebook = original
