"""A class on a real course server: two learners on the roster, each with a personal code."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from course.identity.codes import issue_codes
from course.identity.keys import course_key
from course.plan import Course, load_course
from course.record.roster import Learner, Roster, save_roster
from course.testing.classroom import ClassroomServer
from tests.sample import REPO, copy_sample_course


@dataclass
class Class:
    server: ClassroomServer
    course: Course
    codes: dict[str, str]


def digests(folder: Path, *names: str) -> dict[str, str]:
    """sha256 of every file below ``folder/name`` for each name: sources, byte for byte."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for name in names
        for path in sorted((folder / name).rglob("*"))
        if path.is_file()
    }


def enrol(course: Course, *learners: Learner) -> dict[str, str]:
    """Put ``learners`` on the roster with fresh personal codes; id -> code."""
    roster = Roster(learners)
    codes = issue_codes(roster, course_key(course, "signin-codes"))
    save_roster(course, roster)
    return codes


@pytest.fixture(scope="module")
def repository_sources() -> Iterator[dict[str, str]]:
    """The repository's lessons and exercises, which must be byte-identical afterwards."""
    before = digests(REPO, "notebooks", "exercises")
    yield before
    assert digests(REPO, "notebooks", "exercises") == before


@pytest.fixture(scope="module")
def classroom(
    tmp_path_factory: pytest.TempPathFactory, repository_sources: dict[str, str]
) -> Iterator[Class]:
    root = copy_sample_course(tmp_path_factory.mktemp("classroom") / "course")
    course = load_course(root)
    codes = enrol(course, Learner("ada", "Ada", "Lovelace"), Learner("grace", "Grace", "Hopper"))
    server = ClassroomServer(course)
    server.start(timeout=120)
    yield Class(server, course, codes)
    server.interrupt()
