"""Blended Course Kit: run blended courses on Jupyter.

The public surface is small: load a course plan, and the errors the kit raises.
Each capability (plan, publish, check, grading, learn, live, present) is a subpackage.
"""

from course.errors import CourseError, PlanError, Problem
from course.plan import Course, load_course

__all__ = ["Course", "CourseError", "PlanError", "Problem", "load_course"]
__version__ = "0.1.0"
