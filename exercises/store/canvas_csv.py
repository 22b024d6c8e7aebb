"""The roster as Canvas's gradebook import expects it (Canvas Guides, "How do I import grades in the
Gradebook?"; the layout of Canvas's own Gradebook export):

    Student,ID,SIS User ID,SIS Login ID,Section,<assignment title>,...
    Points Possible,,,,,<points>,...
    <student>,,,<student id>,,<points earned>,...

The five identity columns come first, in that order; Canvas matches a row to a student by ID, SIS User
ID, SIS Login ID or name, and leaves the others alone. Attention Lab knows the sign-in id only: it goes
in Student (Canvas shows it in the import preview) and SIS Login ID (what Canvas matches on, when the
class signs in with the same id as in Canvas); ID, SIS User ID and Section stay empty. An assignment
column whose title Canvas does not know yet becomes a new assignment, with the points of the "Points
Possible" row: one point per exercise. A student's cell is the points earned (score x exercises, two
decimals), empty when the student submitted nothing to it (Canvas then leaves that grade alone).
RFC 4180 quoting with CRLF line ends (csv module); every text cell is guarded against formula injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"


@dataclass(frozen=True)
class Column:
    """One assignment column: its id in the gradebook, its title in Canvas, its points possible."""

    assignment_id: str
    title: str
    points: int


def points(score: float | None, possible: int) -> str:
    """A score 0..1 as points out of `possible`, two decimals without trailing zeros; '' for None."""
    if score is None:
        return ""
    return f"{score * possible:.2f}".rstrip("0").rstrip(".")


def canvas_csv(rows, columns: Sequence[Column]) -> str:
    """rows: the Store's roster (RosterRow: student_id, scores by assignment id) for these columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HEADER, *(safe_cell(c.title) for c in columns)])
    writer.writerow([POINTS_POSSIBLE, "", "", "", "", *(str(c.points) for c in columns)])
    for row in rows:
        sid = safe_cell(row.student_id)
        writer.writerow([sid, "", "", sid, "", *(points(row.scores.get(c.assignment_id), c.points) for c in columns)])
    return out.getvalue()


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP's CSV injection advice): a value
    starting with = + - @ or a tab or carriage return gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
