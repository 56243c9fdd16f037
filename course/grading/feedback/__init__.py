"""``course feedback``: per-learner HTML feedback with hidden tests redacted, released.

``feedback(course, "ps1")`` writes one page per graded notebook, through nbgrader's
own ``GenerateFeedback`` (``generate``), then hands the pages to learners: through
nbgrader's exchange when the course has one, else into a folder per learner
(``release``).
"""

from course.grading.feedback.api import feedback
from course.grading.feedback.generate import (
    FeedbackError,
    FeedbackReport,
    LearnerFeedback,
    Policy,
    generate,
    policy_for,
)

__all__ = [
    "FeedbackError",
    "FeedbackReport",
    "LearnerFeedback",
    "Policy",
    "feedback",
    "generate",
    "policy_for",
]
