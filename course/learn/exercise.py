"""Exercises with instant feedback: tests run against the learner's own names in the kernel.

Tests are written so a lesson author reads them as sentences, one form per kind::

    "len(squares(5)) == 5"                          # a condition that must hold
    ("squares(3)", [0, 1, 4])                       # an expression and the value it gives
    expect("squares(0) == []", message="no numbers for n = 0")     # a condition, explained
    expect("squares(4)", [0, 1, 4, 9], message="…")                # a value, explained
    expect("busiest(bikes)", "Fri", reveal=False)   # a failure does not show the answer

``message`` is keyword-only, so a condition's message is never taken for an expected
value. The older triple ``(expression, expected, message)`` still works, unchanged.
"""

from __future__ import annotations

import ast
import functools
import math
import re
import sys
import traceback as tb
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import CodeType, FunctionType
from typing import Any

from course.learn.checkmode import in_check_mode
from course.learn.context import user_namespace
from course.learn.display import Line, Panel, short
from course.learn.errors import ExerciseError, LearnError
from course.learn.events import KIT, record

_CONDITION = object()  # the expected value of a plain condition
NO_RETURN = "did your function forget to return its result?"
# Where a learner's cell code lives: IPython's <ipython-input-N-…>, ipykernel's
# <tmp>/ipykernel_<pid>/<hash>.py.
_CELL_FILE = re.compile(r"^<ipython-input-\d+-|[\\/]ipykernel_\d+[\\/][^\\/]+\.py$")


@dataclass(frozen=True)
class Expectation:
    """A test written with ``expect()``: an expression, optionally what it should give."""

    expression: str
    expected: Any = _CONDITION
    message: str | None = None
    reveal: bool = True


def expect(
    expression: str, expected: Any = _CONDITION, *, message: str | None = None, reveal: bool = True
) -> Expectation:
    """A test with more than a plain string or an ``(expression, expected)`` pair says.

    Without ``expected`` the expression is a condition that must be true; ``message``
    is what the learner reads when it fails. ``reveal=False`` keeps the expected value
    out of the feedback ("… is not right yet") when that value is the answer itself.
    """
    return Expectation(expression, expected, message, reveal)


TestSpec = str | tuple[str, Any] | tuple[str, Any, str] | Expectation


@dataclass(frozen=True)
class Test:
    """One compiled test: an expression, what it should give, and a message for failures."""

    expression: str
    expected: Any
    message: str | None
    code: CodeType
    reveal: bool = True
    calls: tuple[str, ...] = ()  # names the expression calls: learner functions, maybe

    @property
    def is_condition(self) -> bool:
        return self.expected is _CONDITION


@dataclass(frozen=True)
class Outcome:
    """The result of one test, with the sentence the learner reads.

    ``cause`` groups failures with one reason (a name not defined, a function that
    returned None, the same exception), so a check says it once, not once per test.
    """

    test: Test
    passed: bool
    text: str
    detail: str | None = None  # a traceback, only when asked for
    cause: tuple[Any, ...] | None = None
    note: str | None = None  # said once per check, whatever the number of tests it explains


class CheckResult(Panel):
    """What ``check()`` returns: every test's outcome, shown as passed or failed.

    Failures with one cause show once, with how many more tests it explains; a test
    not run (``first_failure=True``) counts as not passed.
    """

    def __init__(
        self,
        exercise_id: str,
        outcomes: list[Outcome],
        note: str | None = None,
        *,
        total: int | None = None,
    ) -> None:
        self.exercise_id, self.outcomes = exercise_id, outcomes
        self.total = len(outcomes) if total is None else total
        passed = sum(o.passed for o in outcomes)
        title = f"{exercise_id}: {passed} of {self.total} tests passed"
        if self.passed:
            title += " — well done!"
        lines = _grouped(outcomes)
        not_run = self.total - len(outcomes)
        if not_run:
            lines.append(
                Line("muted", f"{not_run} more {_tests(not_run)} not run: fix this one first.")
            )
        notes = dict.fromkeys(o.note for o in outcomes if o.note and not o.passed)
        lines += [Line("info", text) for text in notes]
        if note:
            lines.append(Line("muted", note))
        super().__init__(title, lines)

    @property
    def passed(self) -> bool:
        return len(self.outcomes) == self.total and all(o.passed for o in self.outcomes)

    @property
    def score(self) -> float:
        return sum(o.passed for o in self.outcomes) / self.total


def _grouped(outcomes: list[Outcome]) -> list[Line]:
    """One line per outcome, except that later failures with an already shown cause only
    add to the count on the first one's line."""
    lines: list[Line] = []
    first: dict[tuple[Any, ...], int] = {}
    more: dict[int, int] = {}
    for outcome in outcomes:
        if not outcome.passed and outcome.cause is not None and outcome.cause in first:
            more[first[outcome.cause]] = more.get(first[outcome.cause], 0) + 1
            continue
        if not outcome.passed and outcome.cause is not None:
            first[outcome.cause] = len(lines)
        lines.append(Line("ok" if outcome.passed else "fail", outcome.text, outcome.detail))
    for index, count in more.items():
        line = lines[index]
        line.text += f" (and {count} more {_tests(count)} failed the same way)"
    return lines


def _tests(count: int) -> str:
    return "test" if count == 1 else "tests"


def compile_tests(exercise_id: str, tests: Sequence[TestSpec]) -> list[Test]:
    """Turn the author's test list into compiled tests, or say which one is malformed."""
    if isinstance(tests, str | tuple) or not tests:
        raise ExerciseError(
            f"exercise {exercise_id!r}: tests must be a non-empty list, "
            'like [("squares(3)", [0, 1, 4]), "len(squares(5)) == 5"]'
        )
    return [_compile(exercise_id, index, spec) for index, spec in enumerate(tests)]


def _compile(exercise_id: str, index: int, spec: Any) -> Test:
    where = f"exercise {exercise_id!r}: test {index + 1}"
    if isinstance(spec, str):
        spec = Expectation(spec)
    elif isinstance(spec, tuple) and len(spec) in (2, 3) and isinstance(spec[0], str):
        if len(spec) == 3 and not isinstance(spec[2], str):
            raise ExerciseError(
                f"{where}'s third element is {short(spec[2])}, not a message; write "
                "expect(expression, expected, message=...)"
            )
        spec = Expectation(spec[0], spec[1], spec[2] if len(spec) == 3 else None)
    elif not isinstance(spec, Expectation) or not isinstance(spec.expression, str):
        raise ExerciseError(
            f"{where} is {short(spec)}; write an expression string (a condition), "
            "(expression, expected), or expect(expression, [expected], message=..., reveal=...)"
        )
    if spec.message is not None and not isinstance(spec.message, str):
        raise ExerciseError(f"{where}: message= is {short(spec.message)}; write a sentence")
    if spec.expected is _CONDITION and not spec.reveal:
        raise ExerciseError(
            f"{where}: reveal=False hides an expected value, and the condition "
            f"{spec.expression!r} has none; remove reveal=False"
        )
    try:
        tree = ast.parse(spec.expression, f"<test {index + 1} of {exercise_id}>", "eval")
        code = compile(tree, f"<test {index + 1} of {exercise_id}>", "eval")
    except SyntaxError as error:
        raise ExerciseError(
            f"{where} {spec.expression!r} is not a Python expression: {error.msg}"
        ) from None
    calls = tuple(
        dict.fromkeys(
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        )
    )
    return Test(spec.expression, spec.expected, spec.message, code, spec.reveal, calls)


@dataclass
class _Returns:
    """What the learner's functions returned while one test ran, in call order."""

    values: list[tuple[str, Any]] = field(default_factory=list)

    def none_from(self) -> str | None:
        return next((name for name, value in self.values if value is None), None)


def _watched(test: Test, namespace: dict[str, Any], returns: _Returns) -> dict[str, Any]:
    """``namespace``, or a copy in which the learner's functions the test calls record what
    they return (a stub's None is then recognised whatever the test does with it)."""
    wrappers = {}
    for name in test.calls:
        function = namespace.get(name)
        if isinstance(function, FunctionType) and _is_learners(function, namespace):
            wrappers[name] = _recording(name, function, returns)
    return {**namespace, **wrappers} if wrappers else namespace


def _recording(name: str, function: Callable[..., Any], returns: _Returns) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        value = function(*args, **kwargs)
        returns.values.append((name, value))
        return value

    return call


def _is_learners(code: Any, namespace: dict[str, Any]) -> bool:
    """Code the learner wrote: a notebook cell, or outside IPython the file that defined the
    exercise (its ``__file__``). ``code`` is a function or a traceback frame."""
    filename = code.__code__.co_filename if isinstance(code, FunctionType) else code.filename
    return bool(_CELL_FILE.search(filename)) or filename == namespace.get("__file__")


def run_test(
    test: Test, namespace: dict[str, Any], *, traceback: bool = False, reveal_all: bool = False
) -> Outcome:
    """Evaluate one test in ``namespace`` and describe the outcome in a learner's words.

    ``reveal_all`` shows expected values even of ``reveal=False`` tests: for the author.
    """
    returns = _Returns()
    try:
        actual = eval(test.code, _watched(test, namespace, returns))
    except Exception as error:  # the learner's code failed: that is feedback, not a crash
        return _with_none_note(_failed_with(test, error, namespace, traceback), returns)
    if test.is_condition:
        ok = _truthy(actual)
        text = test.expression if ok else (test.message or f"{test.expression} is not true")
        return _with_none_note(Outcome(test, ok, text), returns)
    if equal(actual, test.expected):
        return Outcome(test, True, f"{test.expression} gives {short(test.expected)}")
    if test.reveal or reveal_all:
        text = f"{test.expression} gave {short(actual)} but should give {short(test.expected)}"
    else:
        text = f"{test.expression} is not right yet (it gave {short(actual)})"
    if short(actual) == short(test.expected):
        expected_type, actual_type = type(test.expected).__name__, type(actual).__name__
        text += f" ({_a(expected_type)} {expected_type}, not {_a(actual_type)} {actual_type})"
    if test.message:
        text += f": {test.message}"
    return _with_none_note(Outcome(test, False, text), returns)


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _with_none_note(outcome: Outcome, returns: _Returns) -> Outcome:
    """A failure in a test where one of the learner's functions returned None: that is the
    cause, whatever else went wrong (a wrong value, len() of None, None['key'])."""
    name = returns.none_from()
    if outcome.passed or name is None:
        return outcome
    note = f"{name}(...) returned None: {NO_RETURN}"
    return Outcome(outcome.test, False, outcome.text, outcome.detail, ("none", name), note)


def _failed_with(
    test: Test, error: BaseException, namespace: dict[str, Any], traceback: bool
) -> Outcome:
    name = getattr(error, "name", None)
    if isinstance(error, NameError) and name in test.code.co_names and name not in namespace:
        text = f"{name} is not defined yet: run the cell where you define it"
        cause: tuple[Any, ...] | None = ("undefined", name)
    else:
        where = _where(error, namespace)
        text = f"{test.expression} raised {type(error).__name__}: {error}{where}"
        cause = ("raised", type(error).__name__, str(error), where) if where else None
    if test.message:
        text += f" ({test.message})"
    detail = _traceback(error) if traceback else None
    return Outcome(test, False, text, detail, cause)


def _where(error: BaseException, namespace: dict[str, Any]) -> str:
    """Where in the learner's own cells it failed: the innermost frame there, if any.

    Frames inside libraries (pandas' get_loc, …) mean nothing to a learner, so a
    failure that never passed through their code has no location.
    """
    frames = [f for f in tb.extract_tb(error.__traceback__) if _is_learners(f, namespace)]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (in {frame.name}, line {frame.lineno})"


def _traceback(error: BaseException) -> str:
    """The traceback from the test on, without the kit's own frames."""
    frames = [f for f in tb.extract_tb(error.__traceback__)[1:] if f.filename != __file__]
    return (
        "Traceback (most recent call last):\n"
        + "".join(tb.format_list(frames))
        + "".join(tb.format_exception_only(type(error), error))
    )


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
        if in_check_mode():  # course check: a broken exercise fails at its definition
            self.verify()

    def check(self, *, traceback: bool = False, first_failure: bool = False) -> CheckResult:
        """Run the tests against the learner's current names; never raises for their mistakes.

        Every test runs, so the score is the whole picture, and failures with one cause
        (a function that returns None, a name not defined yet) are said once.
        ``first_failure=True`` stops at the first failing test, for one step at a time;
        the tests after it count as not passed.
        """
        namespace = user_namespace(self._globals)
        outcomes = []
        for test in self.tests:
            outcomes.append(run_test(test, namespace, traceback=traceback))
            if first_failure and not outcomes[-1].passed:
                break
        self.attempts += 1
        passed, total = sum(o.passed for o in outcomes), len(self.tests)
        failed = [o.test.expression for o in outcomes if not o.passed]
        failed += [t.expression for t in self.tests[len(outcomes) :]]
        result = {
            "success": passed == total,
            "score": {"raw": passed, "min": 0, "max": total, "scaled": passed / total},
            "extensions": {KIT + "failed": failed},
        }
        return CheckResult(self.id, outcomes, self._record("checked", result), total=total)

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
        outcomes = (run_test(t, namespace, reveal_all=True) for t in self.tests)
        failed = [o for o in outcomes if not o.passed]
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

    ``tests`` run against the learner's names each time ``check()`` is called: a
    condition string, an ``(expression, expected)`` pair, or ``expect(...)`` for a
    message or a hidden answer (see the module's docstring);
    ``solution`` is code, shown after a first attempt and, in check mode
    (``course check``, see ``course.learn.checkmode``), run in a copy of the
    namespace to prove the tests can pass.
    """
    caller = sys._getframe(1).f_globals
    return Exercise(id, tests, hints, solution, module=module, caller_globals=caller)


__all__ = ["CheckResult", "Exercise", "Expectation", "Outcome", "exercise", "expect"]
