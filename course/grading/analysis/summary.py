"""The three weakest items of an assignment, said in plain language for the instructor.

Weakest: the lowest share of learners who passed; among equals, the lower
discrimination (a test everyone fails alike says less about the teaching than one
the strong learners pass), then by name.
"""

from __future__ import annotations

from course.record import ItemStat

WHAT_IT_MEANS = {
    "NotImplementedError": "the answer was left unwritten (the template's placeholder raised)",
    "AssertionError": "the code ran but gave a wrong result",
    "NameError": "a name was not defined: a function renamed, or a cell not run",
    "TypeError": "a value of the wrong type: wrong arguments or a wrong return value",
    "ValueError": "a value the code could not handle",
    "KeyError": "a missing key in a dictionary or a missing column",
    "IndexError": "an index past the end of a list",
    "AttributeError": "a method or attribute that the object does not have",
    "ZeroDivisionError": "a division by zero, often an empty input not handled",
    "SyntaxError": "code that is not valid Python",
    "TimeoutError": "code that ran too long (an endless loop?)",
}


def weakest(items: list[ItemStat], count: int = 3) -> list[ItemStat]:
    """The ``count`` items with the lowest pass share (module docstring for ties)."""
    return sorted(
        items,
        key=lambda s: (
            s.share,
            s.discrimination if s.discrimination is not None else 0.0,
            s.assignment,
            s.test,
        ),
    )[:count]


def _discrimination_words(value: float | None) -> str:
    if value is None:
        return "Too few learners to compare stronger and weaker ones."
    if value < 0:
        return (
            f"Discrimination {value:.2f}: weaker learners passed it more often than stronger "
            "ones, so check the test and the instructions."
        )
    if value < 0.2:
        return (
            f"Discrimination {value:.2f}: stronger and weaker learners did about the same, "
            "so the difficulty may lie in the task or its wording rather than in the skill."
        )
    return (
        f"Discrimination {value:.2f}: stronger learners passed it more often, so it "
        "separates those who have the skill from those who do not yet."
    )


def describe(item: ItemStat) -> str:
    """One paragraph about an item: who passed, why the others failed, what it separates."""
    text = (
        f"{item.test} ({item.assignment}): {item.passed} of {item.submissions} learners "
        f"({item.share:.0%}) passed."
    )
    if item.failed and item.common_error:
        error, count = item.errors[0]
        meaning = WHAT_IT_MEANS.get(error, "an error the test did not expect")
        text += f" Most who did not ({count} of {item.failed}) raised {error}: {meaning}."
    elif item.failed:
        text += " Those who did not raised no error: partial credit, or output on stderr."
    if item.passed == 0 or item.failed == 0:
        return f"{text} Everyone had the same result, so it cannot tell learners apart."
    return f"{text} {_discrimination_words(item.discrimination)}"


def summary(items: list[ItemStat], count: int = 3) -> list[str]:
    """A paragraph for each of the weakest ``count`` items."""
    return [describe(item) for item in weakest(items, count)]
