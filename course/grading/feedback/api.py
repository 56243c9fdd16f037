"""``feedback``: the one function ``course feedback``, the tests and notebooks call."""

from __future__ import annotations

from datetime import datetime

from course.grading.feedback.generate import FeedbackReport, LearnerFeedback, generate, policy_for
from course.grading.feedback.release import course_exchange, release
from course.plan import Course


def feedback(
    course: Course,
    assignment: str,
    learners: list[str] | None = None,
    *,
    now: datetime | None = None,
) -> FeedbackReport:
    """Pages for every graded learner (or ``learners``) of ``assignment``, released.

    ``now`` decides whether an ``after-due`` exercise is past its due date (default: now;
    a naive time is wall-clock time in the course zone, as in the plan).
    """
    pages = generate(course, assignment, learners, now=now)
    report = FeedbackReport(assignment, policy_for(course, assignment, now), [])
    report.exchange = course_exchange(course)
    for learner, written in pages.items():
        released = release(course, assignment, learner)
        report.learners.append(LearnerFeedback(learner, written, released))
    return report
