"""Feedback pages to learners: nbgrader's exchange when the course has one, else a folder each.

The exchange path is nbgrader's own ``ExchangeReleaseFeedback``: it files each page
under ``<exchange>/<course>/feedback/<hash>.html``, the hash made from the notebook
and the secret the learner's ``nbgrader submit`` left (``submission_secret.txt``),
so only that learner's ``fetch_feedback`` finds it. A submission that did not come
through the exchange has no secret; its pages stay in the learner's own folder
(``course.layout.feedback_folder``), ready to hand over any other way.
"""

from __future__ import annotations

from pathlib import Path

from course.grading.feedback.generate import FeedbackError
from course.layout import exchange_folder, feedback_folder, nbgrader_config
from course.plan import Course

SECRET, TIMESTAMP = "submission_secret.txt", "timestamp.txt"


def course_exchange(course: Course) -> Path | None:
    """The course's folder in nbgrader's exchange, if assignments were released there."""
    folder = exchange_folder(course) / course.id
    return folder if folder.is_dir() else None


def release(course: Course, assignment: str, learner: str) -> list[Path]:
    """Release one learner's pages; the paths learners read them from."""
    folder = feedback_folder(course, learner, assignment)
    pages = sorted(folder.glob("*.html"))
    exchange = course_exchange(course)
    if exchange is None or not (folder / SECRET).is_file() or not (folder / TIMESTAMP).is_file():
        return pages
    before = set((exchange / "feedback").glob("*.html"))
    _exchange_release(course, assignment, learner)
    released = set((exchange / "feedback").glob("*.html"))
    return sorted(released - before) or _hashed(course, folder, pages)


def _hashed(course: Course, folder: Path, pages: list[Path]) -> list[Path]:
    """Pages released before (same hash, replaced in place): where they are in the exchange."""
    from nbgrader.utils import notebook_hash

    secret = (folder / SECRET).read_text()
    exchange = exchange_folder(course) / course.id / "feedback"
    return [
        exchange / f"{notebook_hash(secret=secret, notebook_id=page.stem)}.html" for page in pages
    ]


def _exchange_release(course: Course, assignment: str, learner: str) -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    config = nbgrader_config(course)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = learner
    authenticator = Authenticator(config=config)
    exchange = ExchangeReleaseFeedback(
        coursedir=coursedir, authenticator=authenticator, config=config
    )
    try:
        exchange.start()
    except ExchangeError as error:
        raise FeedbackError(f"releasing {learner}'s feedback on {assignment}: {error}") from None
