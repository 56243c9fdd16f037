"""The roster in nbgrader's gradebook: its students table and submissions' extensions.

nbgrader keeps its own students (id, names, email, LMS user id) and, per submission,
an ``extension`` that its late penalty adds to the due date. Syncing writes the
roster's facts there through nbgrader's own API. It never removes a student: a
learner dropped from the roster keeps their submissions and grades, and is listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from course.layout import ensure_gradebook, gradebook_url
from course.plan import Course
from course.record.roster import Roster


@dataclass
class SyncReport:
    """Students written to the gradebook, extensions set, gradebook students not on the roster."""

    students: int = 0
    extensions: int = 0
    not_on_roster: list[str] = field(default_factory=list)


def sync_gradebook(course: Course, roster: Roster) -> SyncReport:
    """Make nbgrader's students and submission extensions match the roster."""
    from nbgrader.api import Gradebook, MissingEntry  # imported here: nbgrader takes 1.4 s

    ensure_gradebook(course)
    report = SyncReport()
    with Gradebook(gradebook_url(course), course_id=course.id) as gradebook:
        for learner in roster:
            gradebook.update_or_create_student(
                learner.id,
                first_name=learner.first_name or None,
                last_name=learner.last_name or None,
                email=learner.email or None,
                lms_user_id=learner.lms_id or None,
            )
            report.students += 1
            for assignment in course.assignments():
                try:
                    submission = gradebook.find_submission(assignment, learner.id)
                except MissingEntry:
                    continue
                wanted = learner.extension(assignment) or None
                if submission.extension != wanted:
                    submission.extension = wanted
                    report.extensions += 1
        gradebook.db.commit()
        on_roster = {learner.id for learner in roster}
        report.not_on_roster = sorted(s.id for s in gradebook.students if s.id not in on_roster)
    return report
