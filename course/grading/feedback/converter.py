"""nbgrader's ``GenerateFeedback`` with the hidden tests redacted before the page is drawn.

Imported only where feedback is made: nbgrader and nbconvert take over a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbgrader
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import GetGrades
from traitlets import List
from traitlets.config import Config

from course.grading.feedback.redact import RedactHiddenTests

FORMGRADER = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "course_feedback"


class CourseFeedback(GenerateFeedback):  # type: ignore[misc]  # nbgrader is untyped
    """``GetGrades`` puts each cell's score in its metadata; ``RedactHiddenTests`` then
    rewrites the test cells with those scores in hand; the exporter draws the result
    with the kit's template, which extends nbgrader's ``feedback/index.html.j2``."""

    preprocessors = List([GetGrades, RedactHiddenTests, CSSHTMLHeaderPreprocessor]).tag(config=True)

    def __init__(self, coursedir: Any = None, **kwargs: Any) -> None:
        super().__init__(coursedir=coursedir, **kwargs)
        config = Config()
        config.HTMLExporter.template_name = TEMPLATE_NAME
        config.HTMLExporter.extra_template_basedirs = [
            str(TEMPLATES),
            str(FORMGRADER / "templates"),
        ]
        # nbgrader's own feedback template (extended) and Bootstrap's CSS (inlined)
        bootstrap = FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css"
        config.HTMLExporter.extra_template_paths = [str(bootstrap), str(FORMGRADER / "templates")]
        self.update_config(config)
