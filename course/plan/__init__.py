"""The course plan: course.yml as a validated model, the single source of course facts."""

from course.plan.loader import PLAN_FILE, find_course, load_course
from course.plan.model import (
    Course,
    GradedExercise,
    LatePenalty,
    Live,
    Module,
    Objective,
    SelfPaced,
)

__all__ = [
    "PLAN_FILE",
    "Course",
    "GradedExercise",
    "LatePenalty",
    "Live",
    "Module",
    "Objective",
    "SelfPaced",
    "find_course",
    "load_course",
]
