"""ipywidgets front ends for exercises and quizzes, each with a readable text fallback.

Built only when a notebook displays the object, so importing the learner API
never creates widgets (or needs a browser).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from IPython.display import display

from course.learn.display import widget_bundle

if TYPE_CHECKING:
    from course.learn.exercise import Exercise
    from course.learn.quiz import Quiz


def quiz_widget(quiz: Quiz) -> dict[str, Any]:
    """The quiz's widget bundle, with text and HTML for renderers without widgets."""
    return widget_bundle(quiz_box(quiz), quiz.text(), _quiz_html(quiz))


def quiz_box(quiz: Quiz) -> w.VBox:
    """Question, input, Submit and an Output for the feedback, in that order."""
    spec = quiz.spec
    if spec.kind == "single":
        choice: Any = w.RadioButtons(options=list(spec.options), value=None)
        read: Callable[[], Any] = lambda: choice.value  # noqa: E731
        field: Any = choice
    elif spec.kind == "multiple":
        boxes = [w.Checkbox(description=o, indent=False, value=False) for o in spec.options]
        read = lambda: [b.description for b in boxes if b.value]  # noqa: E731
        field = w.VBox(boxes)
    elif spec.kind == "numeric":
        field = w.FloatText(description="Answer:")
        read = lambda: field.value  # noqa: E731
    else:
        field = w.Text(description="Answer:", placeholder="type your answer")
        read = lambda: field.value  # noqa: E731
    submit = w.Button(description="Submit", button_style="primary")
    output = w.Output()

    def on_submit(_: Any) -> None:
        with output:
            output.clear_output()
            display(quiz.answer(read()))

    submit.on_click(on_submit)
    return w.VBox([w.HTML(f"<b>{html.escape(spec.question)}</b>"), field, submit, output])


def _quiz_html(quiz: Quiz) -> str:
    spec = quiz.spec
    items = "".join(f"<li>{html.escape(o)}</li>" for o in spec.options)
    options = f"<ul>{items}</ul>" if items else ""
    return f"<div><b>Quiz {html.escape(spec.id)}:</b> {html.escape(spec.question)}{options}</div>"


def exercise_widget(exercise: Exercise) -> dict[str, Any]:
    """Check, Hint and Solution buttons writing into one Output."""
    output = w.Output()
    buttons = []
    for label, action in (
        ("Check", exercise.check),
        ("Hint", exercise.hint),
        ("Solution", exercise.solution),
    ):
        button = w.Button(description=label)

        def clicked(_: Any, action: Any = action) -> None:
            with output:
                output.clear_output()
                display(action())

        button.on_click(clicked)
        buttons.append(button)
    box = w.VBox([w.HBox(buttons), output])
    text = repr(exercise)
    return widget_bundle(box, text, f"<div>{html.escape(text)}</div>")
