"""nbgrader's ``Autograde`` converter with its work done by the kit's engine.

``nbgrader autograde`` builds an ``Autograde`` converter and calls ``start()``;
this subclass keeps everything nbgrader resolved (its config files, command
line, ``CourseDirectory``) and hands the grading to ``grade_config`` with
nbgrader's rules on (``Options.as_nbgrader``). It raises ``NbGraderException``
where nbgrader's converter does, so the app exits with status 1 the same way.
Used by the pytest plugin ``course.testing.nbgrader_autograde`` to run
nbgrader's own autograde tests against the engine.
"""

from __future__ import annotations

from nbgrader.converters import Autograde, NbGraderException
from traitlets.config import Config

from course.grading.report import GradingError, Options


class KitAutograde(Autograde):  # type: ignore[misc]  # nbgrader is untyped
    """``Autograde`` whose ``start`` grades through ``course.grading.grade_config``."""

    def start(self) -> None:
        from course.grading.engine import grade_config

        assignment = self.coursedir.assignment_id
        config = Config(self.config)
        # as resolved for this converter (traitlets files a flag like --force under its class)
        for trait in ("force", "create_student", "exclude_overwriting", "permissions"):
            setattr(config.Autograde, trait, getattr(self, trait))
        try:
            report = grade_config(config, assignment, options=Options(as_nbgrader=True))
        except GradingError as error:
            self.log.error(str(error))
            raise NbGraderException(str(error)) from None
        for result in report.results:
            for fault in result.faults:
                log = self.log.error if result.status == "failed" else self.log.warning
                log("%s: %s", result.student, fault)
        if report.failed:
            students = ", ".join(result.student for result in report.failed)
            message = f"There was an error processing assignment '{assignment}' for {students}"
            self.log.error(message)
            raise NbGraderException(message)
