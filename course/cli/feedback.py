"""``course feedback``: parse options, call ``course.grading.feedback.feedback``, show where
each learner's pages went."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from course.cli.app import load
from course.grading.feedback import feedback as make_feedback

_POLICY = {
    "hidden": "hidden tests left out entirely",
    "pass-fail": "each hidden test shown as one line, passed or failed",
    "after-due": "hidden tests shown as passed or failed until the last due date",
}


@click.command()
@click.argument("assignment")
@click.option(
    "--student", "students", multiple=True, help="Only this learner's feedback (repeatable)."
)
@click.pass_context
def feedback(ctx: click.Context, assignment: str, students: tuple[str, ...]) -> None:
    """Per-learner HTML feedback on the graded ASSIGNMENT, hidden tests redacted.

    Each page shows the score of every graded part, the learner's code and outputs,
    the visible tests, and each hidden test as one line saying whether it passed
    (course.yml's exercise.hidden_tests: hidden, pass-fail or after-due). Pages go
    to nbgrader's exchange when the course has one (learners run fetch_feedback),
    else to a folder per learner under the data folder's feedback/.
    """
    console = Console()
    report = make_feedback(load(ctx), assignment, list(students) or None)
    shown = "hidden tests shown in full (past the due date)" if report.policy.reveal else ""
    console.print(
        f"{assignment}: feedback for {len(report.learners)} learner(s); "
        f"{shown or _POLICY[report.policy.setting]}"
    )
    table = Table(show_lines=False)
    table.add_column("learner")
    table.add_column("pages", justify="right")
    table.add_column("released to")
    for learner in report.learners:
        where = learner.released[0].parent if learner.released else "-"
        table.add_row(learner.learner, str(len(learner.pages)), str(where))
    console.print(table)
    if report.exchange:
        console.print(f"exchange: {report.exchange}; learners fetch with `nbgrader fetch_feedback`")
