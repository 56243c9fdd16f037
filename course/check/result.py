"""The outcome of one check, shared by every part of ``course check``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """What one check of ``course check`` found: in which area, on what, passed or not, and why.

    (Not ``course.learn.CheckResult``, which is what a learner's ``check()`` shows.)
    """

    area: str
    name: str
    passed: bool
    detail: str = ""
