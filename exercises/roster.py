"""The class roster: a CSV file named by ATTENTION_LAB_ROSTER, with a `student_id` column (other columns,
such as name and e-mail, are kept). With a roster, page 6 signs in only the students on it, each with
a personal code; see exercises/codes.py.

    python -m exercises.roster codes ROSTER.csv                 a new code for every student
    python -m exercises.roster codes ROSTER.csv --student ID    a new code for that student only

Both print `student_id,code` lines to mail out, and store the codes' hashes in the gradebook the app
uses (DATABASE_URL, else the SQLite file ATTENTION_LAB_DB, else ./gradebook.sqlite3). A new code
replaces the student's old one at once.

This module never imports streamlit.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError
from exercises.identity import SignInError, normalize_student_id

MAX_BYTES = 5_000_000
COLUMN = "student_id"


class RosterError(UserError):
    """A roster file that cannot be used; str(error) names the file, what is wrong and how to fix it."""


@dataclass(frozen=True)
class Roster:
    path: str
    students: dict[str, dict[str, str]]  # normalized id -> the row's other columns

    def __contains__(self, student_id: str) -> bool:
        return student_id in self.students


def parse(data: bytes, name: str) -> Roster:
    """A roster from a CSV file's bytes; RosterError for anything a person must fix."""
    if len(data) > MAX_BYTES:
        raise RosterError(f"The roster {name} is {len(data):,} bytes; a roster is at most {MAX_BYTES:,}. "
                          f"Keep only the student_id column (and name, e-mail).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise RosterError(f"The roster {name} is not UTF-8 text (byte {err.start + 1} cannot be read). Save it "
                          f"again as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8; LibreOffice: character "
                          f"set Unicode (UTF-8)).") from None
    if "\x00" in text:
        raise RosterError(f"The roster {name} holds NUL bytes: it is not a CSV text file. Export the roster "
                          f"as CSV.")
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, None)
        header = [h.strip().lower() for h in header] if header else []
        if COLUMN not in header:
            raise RosterError(f"The roster {name} has no student_id column (its first line is "
                              f"{','.join(header)[:80]!r}). Make its first line a header naming the columns, "
                              f"one of them student_id: for example student_id,name,email")
        if header.count(COLUMN) > 1:
            raise RosterError(f"The roster {name} has two student_id columns. Keep one.")
        at = header.index(COLUMN)
        students: dict[str, dict[str, str]] = {}
        first_line: dict[str, int] = {}
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines are skipped
            typed = row[at] if at < len(row) else ""
            try:
                sid = normalize_student_id(typed)
            except SignInError as err:
                raise RosterError(f"The roster {name}, line {line}: the student id {typed[:80]!r} cannot be used: "
                                  f"{err} Correct it in the file.") from None
            if sid in students:
                raise RosterError(f"The roster {name} lists the student {sid!r} twice, on lines {first_line[sid]} "
                                  f"and {line}. Keep one of those lines.")
            first_line[sid] = line
            students[sid] = {h: row[i].strip() for i, h in enumerate(header) if i != at and i < len(row) and h}
    except csv.Error as err:
        raise RosterError(f"The roster {name} is not a readable CSV file ({err}). Export it again as CSV.") from None
    if not students:
        raise RosterError(f"The roster {name} lists no students. Add one line per student under the header.")
    return Roster(name, students)


def load(path: str | os.PathLike) -> Roster:
    """Read and parse a roster file; RosterError (naming the file and the fix) if it cannot be used."""
    p = Path(path)
    try:
        if not p.is_file():
            what = "does not exist" if not p.exists() else "is not a file"
            raise RosterError(f"The roster {p} {what}. Set ATTENTION_LAB_ROSTER to the path of the roster CSV file.")
        if p.stat().st_size > MAX_BYTES:
            raise RosterError(f"The roster {p} is larger than {MAX_BYTES:,} bytes; keep only the student_id column "
                              f"(and name, e-mail).")
        data = p.read_bytes()
    except OSError as err:
        raise RosterError(f"The roster {p} cannot be read ({err.strerror or type(err).__name__}). Check the path "
                          f"in ATTENTION_LAB_ROSTER and that the app may read the file.") from None
    return parse(data, str(p))


# ---------------------------------------------------------------------------------------------
# the command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises.roster",
                                     description="Make personal sign-in codes for the students on a roster.")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("codes", help="print student_id,code for every student (or one) and store the codes' hashes")
    make.add_argument("roster", help="the roster CSV file (a student_id column)")
    make.add_argument("--student", help="make a new code for this student only (their old code stops working)")
    args = parser.parse_args(argv)

    from exercises import codes
    from exercises.store import Store

    try:
        roster = load(args.roster)
        ids = list(roster.students)
        if args.student is not None:
            sid = normalize_student_id(args.student)
            if sid not in roster:
                raise RosterError(f"{sid!r} is not on the roster {roster.path}. Add a line for them first.")
            ids = [sid]
    except (RosterError, SignInError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    store = Store()
    try:
        made = codes.issue(store.engine, ids)
    finally:
        store.close()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([COLUMN, "code"])
    for sid, code in made.items():
        out.writerow([sid, code])
    print(f"{len(made)} new code(s) stored in the gradebook {store.engine.url!r}; these students' earlier codes "
          f"no longer work.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
