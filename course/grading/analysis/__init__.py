"""``course report``: item analysis of an assignment, score plots, the weakest items in words.

The numbers come from the class record (``course.record.item_stats``), the same
function the instructor dashboard reads; this package only draws and words them.
"""

from course.grading.analysis.api import ItemReport, ReportError, report
from course.grading.analysis.summary import describe, weakest

__all__ = ["ItemReport", "ReportError", "describe", "report", "weakest"]
