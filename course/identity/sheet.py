"""The printable sign-in sheet: one card per learner with their code and a QR code.

The QR code holds the sign-in URL with the code in the fragment
(``…/course/signin#code=ABCDE-FGHJK``): a fragment never reaches the server's logs
or a proxy's, and the sign-in page sends it in a POST body. The sheet is a single
HTML file (QR codes inline as SVG), cut along the card borders and handed out.
"""

from __future__ import annotations

from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from course.identity.codes import issue_codes
from course.identity.credentials import course_credentials
from course.identity.keys import course_key
from course.plan import Course
from course.record.roster import Learner, load_roster, save_roster

SIGNIN_PATH = "course/signin"

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def signin_url(server_url: str, code: str | None = None) -> str:
    """The sign-in page of the server at ``server_url`` (ending in /), with ``code`` if given."""
    base = server_url if server_url.endswith("/") else server_url + "/"
    return base + SIGNIN_PATH + (f"#code={code}" if code else "")


def signin_sheet(course: Course, cards: list[tuple[Learner, str]], server_url: str) -> str:
    """The sheet's HTML: for each (learner, code), their name, id, code and QR code."""
    rows = [
        {
            "name": learner.name,
            "id": learner.id,
            "section": learner.section,
            "code": code,
            "qr": segno.make(signin_url(server_url, code), error="m").svg_data_uri(scale=4),
        }
        for learner, code in cards
    ]
    template = _templates.get_template("signin-sheet.html")
    return template.render(course=course, cards=rows, url=signin_url(server_url))


def write_sheet(path: Path, html: str) -> Path:
    """Write the sheet readable by its owner only: the codes on it sign people in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(html, encoding="utf-8")
    return path


def print_signin_sheet(
    course: Course, learner_ids: list[str] | None, path: Path, server_url: str
) -> list[str]:
    """Issue new codes (to these learners, or everyone) and write their sheet to ``path``.

    The sheet is written before the roster, so a failure leaves the old codes working.
    Returns the ids that got a new code.
    """
    roster = load_roster(course)
    codes = issue_codes(roster, course_key(course, "signin-codes"), learner_ids or None)
    cards = [(roster.get(learner_id), code) for learner_id, code in codes.items()]
    write_sheet(path, signin_sheet(course, cards, server_url))
    save_roster(course, roster)
    return list(codes)


def revoke_signin(course: Course, learner_id: str) -> None:
    """Close every door of one learner: their sign-in code and their kernels' credentials.

    Browsers already signed in lose access at their next request (the sign-in cookie
    carries the code's digest, which no longer matches).
    """
    roster = load_roster(course)
    roster.replace(roster.get(learner_id).id, signin="")
    save_roster(course, roster)
    course_credentials(course).revoke(roster.get(learner_id).id)
