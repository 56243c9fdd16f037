"""Whom a kernel posts as: its own credential, and on a one-person server that person."""

from __future__ import annotations

from pathlib import Path

from course.identity.credentials import Credentials
from course.identity.environment import events_environment, server_person
from course.identity.keys import derived_key
from course.record.roster import Learner, Roster

ROSTER = Roster([Learner("s0001", "Grace", "Hopper", hub_user="ghopper"), Learner("ada")])


def test_a_kernels_variables_carry_a_credential_of_its_person_only(tmp_path: Path) -> None:
    credentials = Credentials(derived_key(b"k", "event-credentials"), tmp_path / "g.json")
    env = events_environment(credentials, "ada", "http://127.0.0.1:1/course/api/events")
    assert env["COURSE_LEARNER"] == "ada"
    assert credentials.verify(env["COURSE_EVENTS_TOKEN"]).subject == "ada"


def test_a_hub_single_user_server_posts_as_the_hub_users_roster_id() -> None:
    assert server_person(ROSTER, {"JUPYTERHUB_USER": "ghopper"}) == "s0001"
    assert server_person(ROSTER, {"JUPYTERHUB_USER": "ADA"}) == "ada"
    assert server_person(ROSTER, {"JUPYTERHUB_USER": "visitor"}) == "visitor"


def test_a_laptop_server_posts_as_its_learner() -> None:
    assert server_person(ROSTER, {"COURSE_LEARNER": "ada"}) == "ada"
    assert server_person(Roster(), {}) != ""
