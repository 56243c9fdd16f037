"""Who a file says it belongs to, by the naming of where it came from.

Each rule reads the path of a file inside its source and returns a ``Claim``: the
learner as the source names them, the notebook's file name, and what the name
itself says about time and lateness.

* **nbgrader exchange** (what ``ExchangeCollect`` reads): a folder per submission in
  ``<exchange>/<course id>/inbound/``, named ``<student>+<assignment>+<timestamp>``
  with, since nbgrader 0.7, ``+<random>``; the timestamp (nbgrader's
  ``%Y-%m-%d %H:%M:%S.%f %Z``) is the submission's time.
* **Canvas** "Download Submissions" zip: one file per attachment named
  ``<name>_<user id>_<attachment id>_<file name>``, with ``_LATE_`` (Canvas writes it
  ``late`` or ``LATE`` depending on the version) after the name when Canvas counted
  the submission late. ``<name>`` is the sortable name, lower case, letters only
  (``lovelaceada``); ``<user id>`` is the Canvas user id, which the roster keeps as
  the learner's LMS id (``course roster import`` of a Canvas gradebook export, its
  ``ID`` column). A resubmitted file's name gets ``-1``, ``-2`` before its extension.
  Followed: the layout seen in instructors' tools for these downloads (e.g.
  mikewesthad/canvas-unzipper, TimHanneman/Canvas_submission_sort) and Canvas's
  resubmission suffix as learners report it.
* **Moodle** assignment "Download all submissions": Moodle's
  ``assign::download_submissions`` names each file
  ``clean_filename("<full name>_<participant id>_assignsubmission_file_")`` followed by
  the file's path (a folder per learner, the default since Moodle 3.1) or directly
  by its name (the older flat layout). Underscores in the full name become spaces.
  ``<participant id>`` is Moodle's per-assignment ``assign_user_mapping`` id, not the
  user id, so the learner is found by full name only (a number that happened to equal
  some roster LMS id would name the wrong person). With blind marking Moodle writes
  ``Participant_<id>`` instead of the name: such files match nobody and are reported.
* **plain folder**: a folder per learner, named by their roster id, hub user name,
  email or LMS id, holding the notebooks (or an ``<assignment>/`` folder of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from course.grading.collect.entries import Entry

EXCHANGE = "exchange"
CANVAS = "canvas"
MOODLE = "moodle"
FOLDER = "folder"

_CANVAS = re.compile(
    r"^(?P<name>[A-Za-z0-9-]*?)(?:_(?P<late>late|LATE))?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$"
)
_MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$"
)


@dataclass(frozen=True)
class Claim:
    """A file, and who and what its source says it is.

    ``by`` says how ``who`` names the learner: ``id`` (roster id or hub user name,
    email or LMS id), ``canvas`` (Canvas user id, ``name`` the Canvas name key) or
    ``moodle`` (``name`` the full name, ``who`` the participant id).
    """

    entry: Entry
    scheme: str
    by: str
    who: str
    name: str
    file: str
    timestamp: datetime | None = None
    lms_late: bool = False


def exchange_claim(entry: Entry, assignment: str) -> Claim | None:
    """A file of an nbgrader inbound submission folder; None when the folder is another's."""
    folder, *inside = entry.parts
    marker = f"+{assignment}+"
    if marker not in folder or not inside:
        return None
    student, _, rest = folder.partition(marker)
    stamp = rest.split("+")[0]
    return Claim(entry, EXCHANGE, "id", student, "", "/".join(inside), _parse_stamp(stamp), False)


def _parse_stamp(text: str) -> datetime | None:
    from nbgrader.utils import parse_utc  # imported here: nbgrader takes a second

    try:
        parsed: datetime = parse_utc(text)
    except (ValueError, OverflowError):
        return None
    return parsed.replace(tzinfo=UTC)


def lms_claim(entry: Entry) -> Claim | None:
    """A file named by Canvas's or Moodle's bulk download; None when neither naming fits."""
    first = entry.parts[0]
    moodle = _MOODLE.match(first)
    if moodle:
        inside = moodle["file"] if len(entry.parts) == 1 else "/".join(entry.parts[1:])
        return Claim(
            entry,
            MOODLE,
            "moodle",
            moodle["participant"],
            moodle["name"],
            inside,
            entry.modified,
        )
    canvas = _CANVAS.match(first) if len(entry.parts) == 1 else None
    if canvas:
        return Claim(
            entry,
            CANVAS,
            "canvas",
            canvas["user"],
            canvas["name"],
            canvas["file"],
            entry.modified,
            lms_late=bool(canvas["late"]),
        )
    return None


def folder_claim(entry: Entry, assignment: str) -> Claim | None:
    """A file in a learner's folder: ``<learner>/x.ipynb`` or ``<learner>/<assignment>/x.ipynb``."""
    if len(entry.parts) < 2:
        return None
    learner, *inside = entry.parts
    if len(inside) > 1 and inside[0] == assignment:
        inside = inside[1:]
    return Claim(entry, FOLDER, "id", learner, "", "/".join(inside), entry.modified)
