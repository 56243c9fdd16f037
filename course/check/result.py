"""The outcome of one check, shared by every part of ``course check``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    area: str
    name: str
    passed: bool
    detail: str = ""
