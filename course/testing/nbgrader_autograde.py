"""Run nbgrader's own autograde tests with ``nbgrader autograde`` grading through the kit.

    pytest -p course.testing.nbgrader_autograde --pyargs nbgrader.tests.apps.test_nbgrader_autograde

nbgrader's ``AutogradeApp.start`` builds the ``Autograde`` converter named in
its module; this plugin puts ``KitAutograde`` there, so every
``run_nbgrader(["autograde", ...])`` of nbgrader's suite grades with the
kit's engine. The tests that show a deliberate difference are listed in
``DIFFERENCES`` with the reason, and expected to fail (strictly: one that
starts passing is reported).
"""

from __future__ import annotations

import pytest

# test name -> the deliberate difference it shows
DIFFERENCES: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Route the converter; put this Python's ``bin`` on PATH, as nbgrader's suite assumes.

    (nbgrader's ``db`` apps run ``alembic`` from PATH, as in an activated environment.)
    """
    from nbgrader.apps import autogradeapp
    from nbgrader.converters import Autograde

    from course.grading.engine import _ensure_venv_on_path
    from course.grading.nbgrader_converter import KitAutograde

    _ensure_venv_on_path()

    autogradeapp.Autograde = KitAutograde
    # nbgrader's own converter must never grade here: if a test reached it, the routing
    # above is broken and a pass would prove nothing about the kit.
    Autograde.start = _refuse


def _refuse(self: object) -> None:
    raise AssertionError("nbgrader's own Autograde converter ran; the kit's engine did not")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = DIFFERENCES.get(item.originalname if isinstance(item, pytest.Function) else "")
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
