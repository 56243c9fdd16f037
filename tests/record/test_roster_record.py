"""With a roster, the class is the roster: readiness and the dashboard count its learners."""

from __future__ import annotations

from course.plan import Course
from course.present import not_ready
from course.present.synthetic import SyntheticLearner, write_class
from course.record import load_class, readiness
from course.record.roster import Learner, Roster, save_roster


def test_the_roster_is_the_class_once_there_is_one(course: Course) -> None:
    write_class(
        course,
        [
            SyntheticLearner("ana", checks=[("m1", "m1-a", True, 1.0)]),
            SyntheticLearner("dan", grades={}),  # in the gradebook, not enrolled
            SyntheticLearner("ada", checks=[("m1", "m1-a", True, 1.0)]),  # the instructor
        ],
    )
    assert load_class(course).learners == {"ana", "dan", "ada"}
    save_roster(course, Roster([Learner("ana"), Learner("zed")]))
    record = load_class(course)
    assert record.learners == {"ana", "zed"}
    standing = readiness(course, record, "m1")
    assert standing.ready == {"ana"} and standing.below["zed"] == ("m1",)
    assert [row.learner for row in not_ready(course, record, "m1")] == ["zed"]
