"""Presentation apps with Voila: ``course present``, static exports and the class dashboard.

``present(course, notebook, PresentOptions(...))`` serves one notebook on preheated
kernels with the kit's template and a cap on visitors; ``export_apps(course)``
writes the plan's apps as static HTML into the built site; the functions of
``course.present.dashboard`` give the instructor's numbers from the class record
(``course.record.load_class``).
"""

from course.present.dashboard import (
    funnel,
    hardest_tests,
    histogram,
    next_session,
    not_ready,
    score_distributions,
)
from course.present.export import export_apps
from course.present.serve import PresentError, PresentOptions, present, voila_command

__all__ = [
    "PresentError",
    "PresentOptions",
    "export_apps",
    "funnel",
    "hardest_tests",
    "histogram",
    "next_session",
    "not_ready",
    "present",
    "score_distributions",
    "voila_command",
]
