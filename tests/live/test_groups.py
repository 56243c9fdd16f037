"""Forming groups: balanced, reproducible splits and one template copy per group."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course.live.groups import (
    GroupError,
    form_groups,
    group_path,
    lab_link,
    session_notebooks,
    split_members,
)
from course.plan import load_course

PEOPLE = [f"p{i:02d}" for i in range(10)]


def test_split_by_size_never_exceeds_the_size_and_balances():
    groups = split_members(PEOPLE, size=3, seed=1)
    assert [len(g) for g in groups] == [3, 3, 2, 2]
    assert sorted(m for g in groups for m in g) == sorted(PEOPLE)


@pytest.mark.parametrize(
    ("people", "size", "sizes"),
    [(3, 2, [3]), (5, 2, [3, 2]), (7, 2, [3, 2, 2]), (4, 3, [2, 2]), (9, 4, [3, 3, 3])],
)
def test_split_by_size_leaves_no_one_alone(people: int, size: int, sizes: list[int]) -> None:
    groups = split_members(PEOPLE[:people], size=size, seed=1)
    assert [len(g) for g in groups] == sizes


def test_a_count_that_asks_for_it_gives_groups_of_one() -> None:
    assert [len(g) for g in split_members(PEOPLE[:3], count=2, seed=1)] == [2, 1]


def test_split_by_count_balances_sizes():
    groups = split_members(PEOPLE, count=3, seed=1)
    assert [len(g) for g in groups] == [4, 3, 3]


def test_same_seed_same_groups_whatever_the_join_order():
    first = split_members(PEOPLE, count=4, seed="s1")
    again = split_members(list(reversed(PEOPLE)), count=4, seed="s1")
    other = split_members(PEOPLE, count=4, seed="s2")
    assert first == again
    assert first != other


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "either a group size or a number of groups"),
        ({"size": 2, "count": 2}, "not both"),
        ({"size": 0}, "at least 1"),
        ({"count": 11}, "between 1 and 10"),
        ({"count": 0}, "between 1 and 10"),
    ],
)
def test_bad_size_or_count_is_explained(kwargs, message):
    with pytest.raises(GroupError, match=message):
        split_members(PEOPLE, **kwargs)


def test_no_members_and_duplicates_are_refused():
    with pytest.raises(GroupError, match="no members"):
        split_members([], size=3)
    with pytest.raises(GroupError, match="more than once: p01"):
        split_members([*PEOPLE, "p01"], size=3)


def test_form_groups_copies_the_template_once_per_group(sample_course: Path):
    course = load_course(sample_course)
    groups = form_groups(course, "m1", "s1", PEOPLE, size=4)
    assert [g.number for g in groups] == [1, 2, 3]
    assert groups[0].path == "var/live/s1/group-1/notebooks/live/m1-groups.ipynb"
    assert groups[0].link == "/lab/tree/var/live/s1/group-1/notebooks/live/m1-groups.ipynb"
    template = nbformat.read(sample_course / "notebooks/live/m1-groups.ipynb", as_version=4)
    for group in groups:
        copy = nbformat.read(sample_course / group.path, as_version=4)
        nbformat.validate(copy)
        assert [c.source for c in copy.cells] == [c.source for c in template.cells]
        assert all(c.get("id") for c in copy.cells)
        assert copy.metadata["course"] == {"module": "m1", "session": "s1", "group": group.number}


def test_each_group_folder_ships_the_templates_data_and_no_course_secrets(sample_course: Path):
    course = load_course(sample_course)
    groups = form_groups(course, "m2", "s1", PEOPLE, count=2)
    for group in groups:
        folder = sample_course / "var/live/s1" / f"group-{group.number}"
        data = folder / "notebooks/data/bike_counts.csv"
        assert data.read_bytes() == (sample_course / "notebooks/data/bike_counts.csv").read_bytes()
        # ``../data/bike_counts.csv`` from the notebook's folder is that file
        assert ((sample_course / group.path).parent / "../data/bike_counts.csv").resolve() == data
        shipped = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        assert not any(s.startswith(("exercises/", "var/", "notebooks/polls/")) for s in shipped)
        assert "course.yml" not in shipped


def test_forming_again_keeps_the_work_already_done(sample_course: Path):
    course = load_course(sample_course)
    first = form_groups(course, "m1", "s1", PEOPLE, count=2)
    notebook = sample_course / first[0].path
    notebook.write_text(notebook.read_text().replace("Group task", "Edited by group 1"))
    again = form_groups(course, "m1", "s1", PEOPLE, count=2)
    assert again == first
    assert "Edited by group 1" in notebook.read_text()
    assert not list(notebook.parent.glob(".group-*"))


def test_instructor_sees_every_group_notebook(sample_course: Path):
    course = load_course(sample_course)
    form_groups(course, "m1", "s1", PEOPLE, count=3)
    form_groups(course, "m2", "s2", PEOPLE, count=2)
    assert session_notebooks(course, "s1", base_url="/hub/user/ada/") == {
        n: f"/hub/user/ada/lab/tree/var/live/s1/group-{n}/notebooks/live/m1-groups.ipynb"
        for n in (1, 2, 3)
    }
    assert session_notebooks(course, "nothing-yet") == {}


def test_missing_module_template_or_bad_session_is_explained(sample_course: Path, mini_course):
    course = load_course(sample_course)
    with pytest.raises(GroupError, match=r"no module 'm9'.*modules: m1, m2, m3"):
        form_groups(course, "m9", "s1", PEOPLE, size=3)
    (sample_course / "notebooks/live/m2-groups.ipynb").unlink()
    with pytest.raises(GroupError, match=r"m2-groups.ipynb does not exist"):
        form_groups(course, "m2", "s1", PEOPLE, size=3)
    with pytest.raises(GroupError, match=r"has no live\.group_notebook"):
        form_groups(load_course(mini_course), "a", "s1", PEOPLE, size=3)
    with pytest.raises(GroupError, match="cannot name a folder"):
        group_path(course, "../etc", 1, "notebooks/live/m1-groups.ipynb")


def test_links_are_quoted_and_respect_the_base_url():
    assert lab_link("var/live/s 1/group-1.ipynb") == "/lab/tree/var/live/s%201/group-1.ipynb"
    assert lab_link("a.ipynb", "/user/ada") == "/user/ada/lab/tree/a.ipynb"


def test_a_link_the_groups_kernel_planted_is_not_followed(sample_course: Path):
    course = load_course(sample_course)
    groups = form_groups(course, "m1", "s1", PEOPLE, count=2)
    notebook = sample_course / groups[0].path
    notebook.unlink()  # the kernel can write its group's folder: swap a folder for a link
    live = notebook.parent
    live.rename(live.with_name("moved"))
    live.symlink_to(sample_course / "exercises/ps1")
    before = sorted(p.name for p in (sample_course / "exercises/ps1").iterdir())
    with pytest.raises(GroupError, match="group 1's folder has a link"):
        form_groups(course, "m1", "s1", PEOPLE, count=2)
    assert sorted(p.name for p in (sample_course / "exercises/ps1").iterdir()) == before
