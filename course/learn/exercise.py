"""Exercises with instant feedback: tests run against the learner's own names in the kernel.

A test is an expression and what it should give, written so a lesson author reads
it as a sentence: ``("squares(3)", [0, 1, 4])``; a plain string is a condition that
must hold; a third element is the message shown when it fails.
"""

from __future__ import annotations

import math
import os
import sys
import traceback as tb
from collections.abc import Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any

from course.learn.context import user_namespace
from course.learn.display import Line, Panel, short
from course.learn.errors import ExerciseError, LearnError
from course.learn.events import KIT, record

TestSpec = str | tuple[str, Any] | tuple[str, Any, str]
_TRUTHY = object()  # the expected value of a plain condition


@dataclass(frozen=True)
class Test:
    """One compiled test: an expression, what it should give, and a message for failures."""

    expression: str
    expected: Any
    message: str | None
    code: CodeType

    @property
    def is_condition(self) -> bool:
        return self.expected is _TRUTHY


@dataclass(frozen=True)
class Outcome:
    """The result of one test, with the sentence the learner reads."""

    test: Test
    passed: bool
    text: str
    detail: str | None = None  # a traceback, only when asked for


class CheckResult(Panel):
    """What ``check()`` returns: every test's outcome, shown as passed or failed."""

    def __init__(self, exercise_id: str, outcomes: list[Outcome], note: str | None = None) -> None:
        self.exercise_id, self.outcomes = exercise_id, outcomes
        passed = sum(o.passed for o in outcomes)
        title = f"{exercise_id}: {passed} of {len(outcomes)} tests passed"
        if self.passed:
            title += " — well done!"
        lines = [Line("ok" if o.passed else "fail", o.text, o.detail) for o in outcomes]
        if note:
            lines.append(Line("muted", note))
        super().__init__(title, lines)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def score(self) -> float:
        return sum(o.passed for o in self.outcomes) / len(self.outcomes)


def compile_tests(exercise_id: str, tests: Sequence[TestSpec]) -> list[Test]:
    """Turn the author's test list into compiled tests, or say which one is malformed."""
    if isinstance(tests, str | tuple) or not tests:
        raise ExerciseError(
            f"exercise {exercise_id!r}: tests must be a non-empty list, "
            'like [("squares(3)", [0, 1, 4]), "len(squares(5)) == 5"]'
        )
    compiled = []
    for index, spec in enumerate(tests):
        if isinstance(spec, str):
            expression, expected, message = spec, _TRUTHY, None
        elif isinstance(spec, tuple) and len(spec) in (2, 3) and isinstance(spec[0], str):
            expression, expected = spec[0], spec[1]
            message = spec[2] if len(spec) == 3 else None
        else:
            raise ExerciseError(
                f"exercise {exercise_id!r}: test {index + 1} is {short(spec)}; write an "
                "expression string, or (expression, expected) or (expression, expected, message)"
            )
        try:
            code = compile(expression, f"<test {index + 1} of {exercise_id}>", "eval")
        except SyntaxError as error:
            raise ExerciseError(
                f"exercise {exercise_id!r}: test {index + 1} {expression!r} is not a Python "
                f"expression: {error.msg}"
            ) from None
        compiled.append(Test(expression, expected, message, code))
    return compiled


def run_test(test: Test, namespace: dict[str, Any], *, traceback: bool = False) -> Outcome:
    """Evaluate one test in ``namespace`` and describe the outcome in a learner's words."""
    try:
        actual = eval(test.code, namespace)
    except Exception as error:  # the learner's code failed: that is feedback, not a crash
        return _failed_with(test, error, namespace, traceback)
    if test.is_condition:
        ok = _truthy(actual)
        text = test.expression if ok else (test.message or f"{test.expression} is not true")
        return Outcome(test, ok, text)
    if equal(actual, test.expected):
        return Outcome(test, True, f"{test.expression} gives {short(test.expected)}")
    text = f"{test.expression} gave {short(actual)} but should give {short(test.expected)}"
    if short(actual) == short(test.expected):
        text += f" (a {type(test.expected).__name__}, not a {type(actual).__name__})"
    elif actual is None:
        text += " (did your function forget to return its result?)"
    if test.message:
        text += f": {test.message}"
    return Outcome(test, False, text)


def _failed_with(
    test: Test, error: BaseException, namespace: dict[str, Any], traceback: bool
) -> Outcome:
    name = getattr(error, "name", None)
    if isinstance(error, NameError) and name in test.code.co_names and name not in namespace:
        text = f"{name} is not defined yet: run the cell where you define it"
    else:
        text = f"{test.expression} raised {type(error).__name__}: {error}{_where(error)}"
    if test.message:
        text += f" ({test.message})"
    detail = None
    if traceback:
        detail = "".join(tb.format_exception(type(error), error, error.__traceback__.tb_next))
    return Outcome(test, False, text, detail)


def _where(error: BaseException) -> str:
    """Where in the learner's code it failed: the innermost frame outside the test itself."""
    frames = tb.extract_tb(error.__traceback__)[1:]
    if not frames or frames[-1].filename.startswith("<test "):
        return ""
    frame = frames[-1]
    return f" (in {frame.name}, line {frame.lineno})"


def equal(actual: Any, expected: Any) -> bool:
    """Equality as a learner means it: floats within rounding, arrays and frames element-wise."""
    numbers = (int, float)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        if isinstance(actual, bool) or isinstance(expected, bool):
            return actual is expected
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
    if callable(getattr(actual, "equals", None)) and type(actual) is type(expected):
        return bool(actual.equals(expected))
    try:
        return _truthy(actual == expected)
    except (ValueError, TypeError):  # incomparable shapes or types are simply not equal
        return False


def _truthy(value: Any) -> bool:
    result = value.all() if callable(getattr(value, "all", None)) else value
    return bool(result)


class Exercise:
    """A checkable exercise: ``check()``, ``hint()`` and ``solution()``, each recorded."""

    def __init__(
        self,
        exercise_id: str,
        tests: Sequence[TestSpec],
        hints: Sequence[str] = (),
        solution: str | None = None,
        *,
        module: str | None = None,
        caller_globals: dict[str, Any] | None = None,
    ) -> None:
        self.id, self.module = exercise_id, module
        self.tests = compile_tests(exercise_id, tests)
        self.hints = [hints] if isinstance(hints, str) else list(hints)
        self.reference = solution
        self._globals = caller_globals
        self.attempts = 0
        self.hints_shown = 0
        if os.environ.get("COURSE_CHECK") == "1":
            self.verify()

    def check(self, *, traceback: bool = False) -> CheckResult:
        """Run every test against the learner's current names; never raises for their mistakes."""
        namespace = user_namespace(self._globals)
        outcomes = [run_test(t, namespace, traceback=traceback) for t in self.tests]
        self.attempts += 1
        passed, total = sum(o.passed for o in outcomes), len(outcomes)
        result = {
            "success": passed == total,
            "score": {
                "raw": passed,
                "min": 0,
                "max": len(outcomes),
                "scaled": passed / len(outcomes),
            },
            "extensions": {KIT + "failed": [o.test.expression for o in outcomes if not o.passed]},
        }
        return CheckResult(self.id, outcomes, self._record("checked", result))

    def hint(self) -> Panel:
        """The next hint, one more each call; the last one repeats once all are shown."""
        if not self.hints:
            return Panel(f"{self.id}: no hints", [Line("muted", "This exercise has no hints.")])
        index = min(self.hints_shown, len(self.hints) - 1)
        self.hints_shown = index + 1
        lines = [Line("info", self.hints[index])]
        if index == len(self.hints) - 1:
            lines.append(Line("muted", "That is the last hint."))
        result = {"extensions": {KIT + "hint": index + 1, KIT + "hints": len(self.hints)}}
        note = self._record("hinted", result)
        if note:
            lines.append(Line("muted", note))
        return Panel(f"{self.id}: hint {index + 1} of {len(self.hints)}", lines)

    def solution(self) -> Panel:
        """The reference solution, but only after at least one ``check()``."""
        title = f"{self.id}: solution"
        if self.reference is None:
            return Panel(title, [Line("muted", "This exercise has no reference solution.")])
        if self.attempts == 0:
            why = "Try it yourself first: run check() at least once, then solution() shows it."
            return Panel(title, [Line("info", why)])
        lines = [Line("info", "One way to solve it:", self.reference)]
        note = self._record("viewed-solution", {"extensions": {KIT + "attempts": self.attempts}})
        if note:
            lines.append(Line("muted", note))
        return Panel(title, lines)

    def verify(self) -> None:
        """Raise ExerciseError unless the reference solution passes every test (course check)."""
        if self.reference is None:
            return
        namespace = dict(user_namespace(self._globals))
        try:
            exec(compile(self.reference, f"<solution of {self.id}>", "exec"), namespace)
        except Exception as error:
            raise ExerciseError(
                f"exercise {self.id!r}: its reference solution raised "
                f"{type(error).__name__}: {error}"
            ) from error
        failed = [o for o in (run_test(t, namespace) for t in self.tests) if not o.passed]
        if failed:
            listed = "\n".join(f"  ✘ {o.text}" for o in failed)
            raise ExerciseError(
                f"exercise {self.id!r}: its reference solution fails {len(failed)} of its "
                f"{len(self.tests)} tests:\n{listed}"
            )

    def _record(self, verb: str, result: dict[str, Any]) -> str | None:
        """Record an event; a store that cannot be written is a note, not a lost check."""
        try:
            record(verb, "exercise", self.id, result, module=self.module)
        except LearnError as error:
            return f"(progress not saved: {error})"
        return None

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        from course.learn.widgets import exercise_widget

        return exercise_widget(self)

    def __repr__(self) -> str:
        return (
            f"Exercise {self.id}: {len(self.tests)} tests, {len(self.hints)} hints. "
            "Call .check(), .hint() or .solution() on it."
        )


def exercise(
    id: str,
    *,
    tests: Sequence[TestSpec],
    hints: Sequence[str] = (),
    solution: str | None = None,
    module: str | None = None,
) -> Exercise:
    """Define a checkable exercise in a lesson notebook.

    ``tests`` run against the learner's names each time ``check()`` is called;
    ``solution`` is code, shown after a first attempt and, under ``course check``
    (COURSE_CHECK=1), run in a copy of the namespace to prove the tests can pass.
    """
    caller = sys._getframe(1).f_globals
    return Exercise(id, tests, hints, solution, module=module, caller_globals=caller)


__all__ = ["CheckResult", "Exercise", "Outcome", "exercise"]
