"""The Zero to JupyterHub example: valid YAML whose hub configuration runs the kit's.

No cluster here: the check is that the values parse, that the hub's ``extraConfig``
runs against a real JupyterHub configuration object with the course, and that it sets
up the same groups, roles and workshop service as the single-machine deployment,
without the single machine's copy of the course into learners' homes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML
from traitlets.config import Config

from course.hub import INSTRUCT_SCOPE, INSTRUCTORS, LEARNERS, SERVICE

VALUES = Path("deploy") / "zero-to-jupyterhub" / "values.yaml"


def test_the_hub_config_in_the_values_sets_up_the_course(
    course_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = YAML(typ="safe").load((course_root / VALUES).read_text())
    monkeypatch.setenv("COURSE_ROOT", str(course_root))
    monkeypatch.setenv("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
    monkeypatch.setenv("COURSE_LEARNERS", "alice bob")
    c = Config()
    exec(compile(values["hub"]["extraConfig"]["course"], str(VALUES), "exec"), {"c": c})

    assert set(c.JupyterHub.load_groups) == {INSTRUCTORS, LEARNERS}
    assert c.JupyterHub.load_groups[LEARNERS]["users"] == ["alice", "bob"]
    instructor = next(r for r in c.JupyterHub.load_roles if r["groups"] == [INSTRUCTORS])
    assert INSTRUCT_SCOPE in instructor["scopes"]
    (workshop,) = c.JupyterHub.services
    assert workshop["name"] == SERVICE and workshop["url"] == "http://hub:10101"
    assert "--ServerApp.ip=0.0.0.0" in workshop["command"]
    assert "pre_spawn_hook" not in c.Spawner  # nbgitpuller brings the course
    start = values["singleuser"]["cmd"][-1]
    assert start.startswith("gitpuller ") and start.endswith("exec jupyterhub-singleuser")
    assert " pydata " in start
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    assert {"name": "exchange", "mountPath": "/srv/nbgrader/exchange"} in mounts
