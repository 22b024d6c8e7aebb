"""What the instructor's dashboard reads from the gradebook: the roster with scores, the named mistakes,
and the CSV export for an LMS. A mixin of Store (it needs `self._read()`, a connection under the
Store's deadline)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select

from exercises.store.canvas_csv import Column, canvas_csv
from exercises.store.schema import attempts, students


@dataclass(frozen=True)
class RosterRow:
    student_id: str
    scores: dict[str, float | None]  # assignment id -> 0..1, None when the student never submitted to it


class Reports:
    def roster(self, assignment_ids: Sequence[str], sizes: Mapping[str, int] | None = None, *,
               layouts: Mapping[str, Sequence[str]] | None = None) -> list[RosterRow]:
        """Every student on the roster (sorted by id) with a score per assignment.

        An assignment's score is the mean over its exercises of the student's best valid score on each
        (an exercise never tried, or tried only with unreadable answers, counts 0): 0..1.
        sizes[assignment_id] is its number of exercises; without it, the number of positions anyone
        has submitted to (which misses exercises nobody reached). layouts[assignment_id], the family
        id of each position, gives the size too, and leaves out attempts at a position whose exercise
        the instructor has since replaced with another family (as the Exercises page does). None when
        the student has no submission at all to that assignment (a blank cell in the CSV, not a zero)."""
        assignment_ids = list(assignment_ids)
        sizes = dict(sizes or {})
        layouts = {a: list(v) for a, v in (layouts or {}).items()}
        sizes.update({a: len(v) for a, v in layouts.items()})
        valid = attempts.c.valid.is_(True)
        best = (
            select(attempts.c.student_id, attempts.c.assignment_id, attempts.c.position, attempts.c.family_id,
                   func.coalesce(func.max(case((valid, attempts.c.score))), 0.0))
            .where(attempts.c.assignment_id.in_(assignment_ids))
            .group_by(attempts.c.student_id, attempts.c.assignment_id, attempts.c.position, attempts.c.family_id)
        )
        with self._read() as conn:
            student_ids = conn.execute(select(students.c.id).order_by(students.c.id)).scalars().all()
            best_rows = conn.execute(best).all()
        positions: dict[str, set[int]] = {a: set() for a in assignment_ids}
        totals: dict[tuple[str, str], float] = {}
        for student_id, assignment_id, position, family_id, score in best_rows:
            layout = layouts.get(assignment_id)
            if layout is not None and (position >= len(layout) or layout[position] != family_id):
                continue
            positions[assignment_id].add(position)
            totals[student_id, assignment_id] = totals.get((student_id, assignment_id), 0.0) + score
        denominators = {a: sizes.get(a) or max(len(positions[a]), 1) for a in assignment_ids}
        return [
            RosterRow(s, {a: (totals[s, a] / denominators[a] if (s, a) in totals else None) for a in assignment_ids})
            for s in student_ids
        ]

    def mistake_counts(self, assignment_id: str) -> dict[tuple[int, str], dict[str, int]]:
        """(position, family_id) -> {mistake: how many distinct students made it at least once}, most
        common first. Valid attempts only (an unreadable answer names no mistake)."""
        query = (
            select(attempts.c.position, attempts.c.family_id, attempts.c.mistake,
                   func.count(attempts.c.student_id.distinct()))
            .where(attempts.c.assignment_id == assignment_id, attempts.c.valid.is_(True),
                   attempts.c.mistake.is_not(None))
            .group_by(attempts.c.position, attempts.c.family_id, attempts.c.mistake)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        result: dict[tuple[int, str], dict[str, int]] = {}
        for position, family_id, mistake, n in sorted(rows, key=lambda r: (r[0], r[1], -r[3], r[2])):
            result.setdefault((position, family_id), {})[mistake] = n
        return result

    def csv_export(self, assignment_ids: Sequence[str], sizes: Mapping[str, int] | None = None, *,
                   layouts: Mapping[str, Sequence[str]] | None = None) -> str:
        """The roster as CSV for an LMS gradebook import.

        Header `student_id,<assignment id>,...`; then one row per student (sorted by id), one column
        per assignment holding the score as a percentage 0-100 with one decimal (`87.5`), or empty
        when the student submitted nothing to it (an import leaves that grade alone rather than
        writing a zero). Quoting per RFC 4180 (csv module, CRLF line ends, fields quoted only when
        they hold a comma, quote or line break). Moodle's "Import grades > CSV file" takes it as is:
        map student_id to the user field that holds the sign-in id (username or ID number) and each
        column to a grade item out of 100. Canvas imports its own export's layout: paste the columns
        into a CSV exported from its gradebook, matching on the SIS login id."""
        assignment_ids = list(assignment_ids)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["student_id", *(_cell(a) for a in assignment_ids)])
        for row in self.roster(assignment_ids, sizes, layouts=layouts):
            writer.writerow([_cell(row.student_id), *("" if (s := row.scores[a]) is None else f"{100 * s:.1f}"
                                               for a in assignment_ids)])
        return out.getvalue()

    def canvas_export(self, columns: Sequence[Column], *, layouts: Mapping[str, Sequence[str]] | None = None) -> str:
        """The roster in Canvas's gradebook import layout (exercises/store/canvas_csv.py)."""
        return canvas_csv(self.roster([c.assignment_id for c in columns], {c.assignment_id: c.points for c in columns},
                                      layouts=layouts), columns)


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP's CSV injection advice): a value
    starting with = + - @ or a tab or carriage return gets a leading apostrophe. Sign-in ids are
    checked when a student signs in, so this only guards ids put into the database some other way."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
