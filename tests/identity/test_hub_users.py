"""A JupyterHub user becomes the instructor, a roster learner, or nobody."""

from __future__ import annotations

from pathlib import Path

from course.identity.service import Identities
from course.plan import load_course
from course.record.roster import Learner, Roster, save_roster


def test_hub_users_map_to_instructors_and_roster_ids(mini_course: Path) -> None:
    course = load_course(mini_course)  # instructors: [ada]
    save_roster(
        course,
        Roster([Learner("s0001", "Grace", "Hopper", hub_user="ghopper"), Learner("alan", "Alan")]),
    )
    identities = Identities(course)
    boss = identities.for_hub_user("ADA")
    assert (boss.role, boss.username) == ("instructor", "ADA")
    grace = identities.for_hub_user("ghopper")
    assert (grace.role, grace.learner, grace.name) == ("learner", "s0001", "Grace Hopper")
    assert identities.for_hub_user("alan").learner == "alan"
    assert identities.for_hub_user("s0001") is None  # the id is not a hub name when one is set
    assert identities.for_hub_user("mallory") is None
