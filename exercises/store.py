"""The gradebook: every submission to an exercise, kept in a database through SQLAlchemy.

Where it lives (Store(url) picks the first that is set):

    Store("postgresql://...")   an explicit SQLAlchemy URL
    DATABASE_URL                an environment variable naming PostgreSQL (postgres:// and postgresql://
                                are read as postgresql+psycopg://, the psycopg 3 driver)
    ATTENTION_LAB_DB            an environment variable holding the path of an SQLite file
    ./gradebook.sqlite3         the default: an SQLite file next to the app (git ignores it)

Tables are created on first start. Two tables:

    students  id (text, the sign-in id), created_at
    attempts  one row per submission, append-only: id, submission_id (unique, made by the browser per
              submit), student_id, assignment_id, position, family_id, seed (what identifies the
              variant), answer (as typed), valid, score (0..1), mistake (a named mistake or null),
              created_at (set by the database)

An invalid answer (one the parser could not read: valid=False) is recorded, so the dashboard can see
it, but is not a try: it uses up nothing and scores nothing. Rows are never updated or deleted; there
is no API for it, and the mapper refuses an UPDATE or DELETE of an attempt.

record() commits each submission in its own transaction before it returns, so feedback is shown only
for what is stored. A submission_id seen before returns the stored row instead of a second one: a
double click, or a retry that reaches another app process, is not counted twice. Several app
processes can share one PostgreSQL (or, on one machine, one SQLite file: WAL, a busy timeout and
BEGIN IMMEDIATE for writes).

This module never imports streamlit.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_SQLITE_PATH = Path(__file__).resolve().parent.parent / "gradebook.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another one before "database is locked"
SOLVED = 1.0 - 1e-9  # a best score at or above this is "solved" (never compare floats with ==)
MAX_ID_LENGTH = 200
SEED_RANGE = (-(2**63), 2**63 - 1)  # seeds are stored as BIGINT (signed 64-bit)
_CREATE_LOCK_KEY = 0x41_74_74_6E  # PostgreSQL advisory lock held while creating the tables ("Attn")


class ExerciseClosed(Exception):
    """record(max_tries=...) refused a submission: str(error) is "solved" or "no tries left"."""


# ---------------------------------------------------------------------------------------------
# the schema


class Base(DeclarativeBase):
    pass


class StudentRow(Base):
    __tablename__ = "students"

    id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AttemptRow(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_student_assignment", "student_id", "assignment_id", "position"),
        Index("ix_attempts_assignment", "assignment_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), unique=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"))
    assignment_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    family_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    seed: Mapped[int] = mapped_column(BigInteger)
    answer: Mapped[str] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    mistake: Mapped[str | None] = mapped_column(String(MAX_ID_LENGTH), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@event.listens_for(AttemptRow, "before_update")
@event.listens_for(AttemptRow, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("attempts are append-only: an attempt is never updated or deleted")


students = StudentRow.__table__
attempts = AttemptRow.__table__


# ---------------------------------------------------------------------------------------------
# what the queries return (plain frozen values: safe to keep in st.session_state, never written back)


@dataclass(frozen=True)
class Attempt:
    id: int  # increases with every row: the order of submissions
    submission_id: str
    student_id: str
    assignment_id: str
    position: int
    family_id: str
    seed: int
    answer: str
    valid: bool
    score: float
    mistake: str | None
    created_at: datetime  # UTC


@dataclass(frozen=True)
class Progress:
    """One student's state on one exercise (one position of an assignment)."""

    position: int
    family_id: str
    seed: int  # of the latest attempt
    tries: int  # valid attempts only
    invalid: int  # answers that could not be read: not tries
    best_score: float | None  # over valid attempts; None before the first one
    solved: bool  # best_score is 1
    last_answer: str  # the latest answer, valid or not (to refill the answer box)
    last_valid: bool


@dataclass(frozen=True)
class RosterRow:
    student_id: str
    scores: dict[str, float | None]  # assignment id -> 0..1, None when the student never submitted to it


# ---------------------------------------------------------------------------------------------
# the store


def resolve_url(url: str | None = None) -> str:
    """The SQLAlchemy URL to use: the argument, else DATABASE_URL, else the SQLite file at
    ATTENTION_LAB_DB or DEFAULT_SQLITE_PATH. postgres:// and postgresql:// become postgresql+psycopg://."""
    url = url or os.environ.get("DATABASE_URL") or None
    if url is None:
        path = Path(os.environ.get("ATTENTION_LAB_DB") or DEFAULT_SQLITE_PATH)
        return f"sqlite:///{path.expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Store:
    """The gradebook. One per app process (it holds a connection pool); safe to share across threads."""

    def __init__(self, url: str | None = None):
        url_obj = make_url(resolve_url(url))
        self.dialect = url_obj.get_backend_name()
        if self.dialect == "sqlite":
            if url_obj.database and url_obj.database != ":memory:":
                Path(url_obj.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url_obj)
            _sqlite_setup(self.engine)
            self._insert = sqlite.insert
        elif self.dialect == "postgresql":
            self.engine = create_engine(url_obj, pool_pre_ping=True)
            self._insert = postgresql.insert
        else:
            raise ValueError(f"the gradebook runs on SQLite or PostgreSQL, not {self.dialect!r} ({url_obj!r})")
        self._create_tables()

    def __repr__(self) -> str:
        return f"Store({self.engine.url!r})"  # the password shows as ***

    def close(self) -> None:
        self.engine.dispose()

    def _write(self):
        """A transaction that writes: on SQLite it starts with BEGIN IMMEDIATE, so it waits for the
        write lock up front (with the busy timeout) instead of failing when a read turns into a write."""
        return self.engine.connect().execution_options(attention_lab_write=True)

    def _create_tables(self) -> None:
        """CREATE TABLE IF missing, in one transaction. Two processes starting at once on an empty
        PostgreSQL would both see no table and both create it (one then fails on pg_type's unique
        index): an advisory lock makes the second wait, and then it finds the tables. On SQLite,
        BEGIN IMMEDIATE does the same."""
        with self._write() as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK_KEY})
            Base.metadata.create_all(conn)

    # --- writing ---------------------------------------------------------------------------

    def add_student(self, student_id: str) -> None:
        """Make sure a student is on the roster (record() does it too). Idempotent."""
        _check_id("student_id", student_id)
        with self._write() as conn, conn.begin():
            self._add_student(conn, student_id)

    def _add_student(self, conn: Connection, student_id: str) -> None:
        conn.execute(self._insert(students).values(id=student_id).on_conflict_do_nothing(index_elements=["id"]))

    def record(self, submission_id: str, student_id: str, assignment_id: str, position: int, family_id: str,
               seed: int, answer: str, feedback_valid: bool, score: float, mistake: str | None = None, *,
               max_tries: int | None = None) -> Attempt:
        """Store one submission and commit it before returning the stored row.

        submission_id is made by the client once per submit (a UUID): the same id again returns the
        row stored the first time (its answer and score win) and inserts nothing. The same id for a
        different student or exercise is refused with ValueError. feedback_valid=False records an
        answer that could not be read; it is not a try. score is 0..1; mistake names the mistake the
        grader recognized, or None.

        max_tries: when given, a submission (readable or not) to an exercise that is already solved or
        has used max_tries valid tries is refused with ExerciseClosed and nothing is stored. The check and the
        insert are one transaction, serialised per exercise (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock on the student's exercise), so two tabs submitting at once cannot both take
        the last try."""
        for name, value in (("submission_id", submission_id), ("student_id", student_id),
                            ("assignment_id", assignment_id), ("family_id", family_id)):
            _check_id(name, value)
        if mistake is not None:
            _check_id("mistake", mistake)
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValueError(f"position must be an int >= 0, got {position!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
            raise ValueError(f"seed must be an int in the signed 64-bit range, got {seed!r}")
        score = float(score)
        if not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise ValueError(f"score must be between 0 and 1, got {score!r}")
        if not isinstance(answer, str):
            raise ValueError(f"answer must be a str (as typed), got {type(answer).__name__}")

        if max_tries is not None and (isinstance(max_tries, bool) or not isinstance(max_tries, int) or max_tries < 1):
            raise ValueError(f"max_tries must be an int >= 1, got {max_tries!r}")

        with self._write() as conn, conn.begin():
            if max_tries is not None:
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                                 {"key": json.dumps([student_id, assignment_id, position])})
                seen = conn.execute(select(attempts).where(attempts.c.submission_id == submission_id)).first()
                if seen is None:
                    tries, best = self._tries(conn, student_id, assignment_id, position)
                    if tries >= max_tries or (best is not None and best >= SOLVED):
                        raise ExerciseClosed("solved" if best is not None and best >= SOLVED else "no tries left")
            self._add_student(conn, student_id)
            conn.execute(self._insert(attempts).values(
                submission_id=submission_id, student_id=student_id, assignment_id=assignment_id,
                position=position, family_id=family_id, seed=seed, answer=answer, valid=bool(feedback_valid),
                score=score, mistake=mistake,
            ).on_conflict_do_nothing(index_elements=["submission_id"]))
            row = conn.execute(select(attempts).where(attempts.c.submission_id == submission_id)).one()
            stored = _attempt(row)
            if (stored.student_id, stored.assignment_id, stored.position) != (student_id, assignment_id, position):
                raise ValueError(f"submission id {submission_id!r} was already used by another submission")
        return stored

    # --- reading -----------------------------------------------------------------------------

    def attempts(self, student_id: str, assignment_id: str, position: int | None = None) -> list[Attempt]:
        """A student's submissions to an assignment (or one exercise of it), valid or not, oldest first."""
        query = select(attempts).where(attempts.c.student_id == student_id, attempts.c.assignment_id == assignment_id)
        if position is not None:
            query = query.where(attempts.c.position == position)
        with self.engine.connect() as conn:
            return [_attempt(row) for row in conn.execute(query.order_by(attempts.c.id))]

    def progress(self, student_id: str, assignment_id: str) -> dict[int, Progress]:
        """position -> Progress for every exercise of the assignment the student has submitted to."""
        by_position: dict[int, list[Attempt]] = {}
        for a in self.attempts(student_id, assignment_id):
            by_position.setdefault(a.position, []).append(a)
        result = {}
        for position, rows in sorted(by_position.items()):
            valid = [a for a in rows if a.valid]
            best = max((a.score for a in valid), default=None)
            last = rows[-1]
            result[position] = Progress(
                position=position, family_id=last.family_id, seed=last.seed, tries=len(valid),
                invalid=len(rows) - len(valid), best_score=best, solved=best is not None and best >= SOLVED,
                last_answer=last.answer, last_valid=last.valid,
            )
        return result

    def earned_solution(self, student_id: str, assignment_id: str, position: int, max_tries: int) -> bool:
        """Whether the student may now see the correct answer: solved, or max_tries valid tries used."""
        if max_tries < 1:
            raise ValueError(f"max_tries must be at least 1, got {max_tries}")
        with self.engine.connect() as conn:
            tries, best = self._tries(conn, student_id, assignment_id, position)
        return tries >= max_tries or (best is not None and best >= SOLVED)

    @staticmethod
    def _tries(conn: Connection, student_id: str, assignment_id: str, position: int) -> tuple[int, float | None]:
        """(valid tries, best valid score or None) of one student's exercise."""
        valid = attempts.c.valid.is_(True)
        query = select(
            func.count(case((valid, 1))),
            func.max(case((valid, attempts.c.score))),
        ).where(attempts.c.student_id == student_id, attempts.c.assignment_id == assignment_id,
                attempts.c.position == position)
        return tuple(conn.execute(query).one())

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
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
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


# ---------------------------------------------------------------------------------------------
# helpers


def _sqlite_setup(engine: Engine) -> None:
    """WAL (readers never wait for the writer), a busy timeout (a writer waits for the other), foreign
    keys on, and transactions begun by us: BEGIN IMMEDIATE for writes, BEGIN for reads. pysqlite's
    own implicit BEGIN is turned off (isolation_level=None), as SQLAlchemy's docs recommend."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _sqlite_wal(cur)
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        write = conn.get_execution_options().get("attention_lab_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_wal(cur) -> None:
    """Switch the file to WAL (it stays so). The switch of a new file does not wait on the busy timeout
    when another process is switching it at the same moment ("database is locked"): retry until then."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() not in ("wal", "memory"):
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP's CSV injection advice): a value
    starting with = + - @ or a tab or carriage return gets a leading apostrophe. Sign-in ids are
    checked when a student signs in, so this only guards ids put into the database some other way."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _check_id(name: str, value: str) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{name} must be a non-empty str of at most {MAX_ID_LENGTH} characters, got {value!r}")


def _attempt(row) -> Attempt:
    m = row._mapping
    created = m["created_at"]
    if created.tzinfo is None:  # SQLite's CURRENT_TIMESTAMP is UTC without a zone
        created = created.replace(tzinfo=UTC)
    return Attempt(
        id=m["id"], submission_id=m["submission_id"], student_id=m["student_id"], assignment_id=m["assignment_id"],
        position=m["position"], family_id=m["family_id"], seed=m["seed"], answer=m["answer"], valid=bool(m["valid"]),
        score=m["score"], mistake=m["mistake"], created_at=created,
    )
