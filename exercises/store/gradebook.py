"""The Store: one per app process (it holds a connection pool; safe to share across threads). It
writes submissions (record) and reads a student's attempts; the dashboard's reports come from the
Reports mixin.

record() commits each submission in its own transaction before it returns, so feedback is shown only
for what is stored. A submission_id seen before returns the stored row instead of a second one: a
double click, or a retry that reaches another app process, is not counted twice. Several app
processes can share one PostgreSQL (or, on one machine, one SQLite file: WAL, a busy timeout and
BEGIN IMMEDIATE for writes).
"""

from __future__ import annotations

import json
import logging
import math
from contextlib import contextmanager

from sqlalchemy import bindparam, case, func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from exercises.store.connect import (
    CommitUnknown,
    GradebookError,
    GradebookReadOnly,
    default_timeout,
    make_engine,
    resolve_url,
    translate,
)
from exercises.store.deadline import Deadline
from exercises.store.reports import Reports
from exercises.store.schema import (
    MAX_ANSWER_CHARS,
    SEED_RANGE,
    SOLVED,
    Attempt,
    Base,
    answer_problem,
    attempt_from_row,
    attempts,
    check_id,
    students,
)

log = logging.getLogger(__name__)

_CREATE_LOCK_KEY = 0x41_74_74_6E  # PostgreSQL advisory lock held while creating the tables ("Attn")
_PROBE_ID = " writable?"  # never a student id (they have no spaces): the start-up write check's row


# The statements a submit runs, built once (building a statement costs more than SQLAlchemy's cached
# compilation of it): parameters are bound when they run.
_ONE_EXERCISE = (attempts.c.student_id == bindparam("student_id"), attempts.c.assignment_id == bindparam("assignment_id"),
                 attempts.c.position == bindparam("position"))
_VALID = attempts.c.valid.is_(True)
# (valid tries, best valid score or None, whether submission_id is stored: for any exercise, and how many
# attempts of the student's to the whole assignment are stored) in one query
_TRIES_AND_SEEN = select(
    func.count(case((_VALID, 1))),
    func.max(case((_VALID, attempts.c.score))),
    select(attempts.c.id).where(attempts.c.submission_id == bindparam("submission_id")).scalar_subquery(),
    select(func.count()).select_from(attempts).where(*_ONE_EXERCISE[:2]).scalar_subquery(),
).where(*_ONE_EXERCISE)
_BY_SUBMISSION = select(attempts).where(attempts.c.submission_id == bindparam("submission_id"))
_OF_ASSIGNMENT = select(attempts).where(*_ONE_EXERCISE[:2]).order_by(attempts.c.id)
_OF_EXERCISE = select(attempts).where(*_ONE_EXERCISE).order_by(attempts.c.id)


class ExerciseClosed(Exception):
    """record(max_tries=...) refused a submission: str(error) is "solved" or "no tries left"."""


class AttemptsChanged(Exception):
    """record(known_attempts=n) refused a submission: the gradebook holds another number of the student's
    attempts to the assignment than the caller knew of (another tab or process stored one meanwhile).
    Nothing was stored: read the attempts again and submit again."""


class Store(Reports):
    """The gradebook at `url` (see resolve_url). `timeout`: seconds any one operation may take
    (default ATTENTION_LAB_DB_TIMEOUT, else 10); past it, GradebookTimeout."""

    def __init__(self, url: str | None = None, *, timeout: float | None = None):
        self.timeout = float(timeout) if timeout else default_timeout()
        self.engine = make_engine(resolve_url(url), self.timeout)
        self.dialect = self.engine.dialect.name
        self._insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self._insert_attempt = (self._insert(attempts).on_conflict_do_nothing(index_elements=["submission_id"])
                                .returning(*attempts.c))
        self._create_tables()
        if problem := self.writable_problem():
            log.warning("the gradebook %r cannot be written to: %s", self.engine.url, problem)

    def __repr__(self) -> str:
        return f"Store({self.engine.url!r})"  # the password shows as ***

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connection(self, write: bool = False):
        """A connection for one operation, under the deadline. A database failure becomes a
        GradebookError, and the connection it happened on is discarded (never pooled again). Writes
        begin with BEGIN IMMEDIATE on SQLite (the write lock up front, with the busy timeout)."""
        with Deadline(self.timeout) as deadline:
            conn = None
            try:
                conn = self.engine.connect()
                yield conn.execution_options(attention_lab_write=True) if write else conn
            except Exception as err:
                mapped = translate(err, deadline, self.timeout)
                if mapped is None:
                    raise
                if conn is not None:
                    try:
                        conn.invalidate()
                    except Exception:  # already gone
                        pass
                if mapped is err:
                    raise
                raise mapped from err
            finally:
                if conn is not None:
                    conn.close()

    def _read(self):
        return self._connection(write=False)

    def _write(self, work):
        """work(conn, trans) in one write transaction; its result. A read-only failure is tried once more
        on a fresh connection: the pool may hold connections opened while the file was read-only, and
        SQLite keeps such a connection read-only after the file is fixed."""
        for last in (False, True):
            try:
                with self._connection(write=True) as conn, conn.begin() as trans:
                    return work(conn, trans)
            except GradebookReadOnly:
                if last:
                    raise
                self.engine.dispose()  # every pooled connection is closed; new ones open the file afresh

    def _create_tables(self) -> None:
        """CREATE TABLE IF missing, in one transaction. Two processes starting at once on an empty
        PostgreSQL would both see no table and both create it (one then fails on pg_type's unique
        index): an advisory lock makes the second wait, and then it finds the tables. On SQLite,
        BEGIN IMMEDIATE does the same. A read-only SQLite file that has the tables is only read."""
        with self._connection(write=False) as conn:
            have = {"students", "attempts"} <= set(inspect(conn).get_table_names())
        if have:
            return
        def create(conn: Connection, trans) -> None:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK_KEY})
            Base.metadata.create_all(conn)

        self._write(create)

    def writable_problem(self) -> str | None:
        """None when a submission could be written now; else what is wrong (GradebookError's text). It
        writes a row and rolls it back."""
        try:
            self._write(lambda conn, trans: (self._add_student(conn, _PROBE_ID), trans.rollback()))
        except GradebookError as err:
            return str(err)
        return None

    # --- writing ---------------------------------------------------------------------------

    def add_student(self, student_id: str) -> None:
        """Make sure a student is on the roster (record() does it too). Idempotent."""
        check_id("student_id", student_id)
        self._write(lambda conn, trans: self._add_student(conn, student_id))

    def _add_student(self, conn: Connection, student_id: str) -> None:
        conn.execute(self._insert(students).values(id=student_id).on_conflict_do_nothing(index_elements=["id"]))

    def record(self, submission_id: str, student_id: str, assignment_id: str, position: int, family_id: str,
               seed: int, answer: str, feedback_valid: bool, score: float, mistake: str | None = None, *,
               max_tries: int | None = None, student_known: bool = False,
               known_attempts: int | None = None) -> Attempt:
        """Store one submission and commit it before returning the stored row.

        submission_id names one typed answer to one exercise (schema.submission_key): the same id again
        returns the row stored the first time (its answer and score win) and inserts nothing. The same
        id for a different student or exercise is refused with ValueError. feedback_valid=False records
        an answer that could not be read; it is not a try. score is 0..1; mistake names the mistake the
        grader recognized, or None. An answer that cannot be stored (schema.answer_problem: longer than
        MAX_ANSWER_CHARS, control characters) is refused with ValueError.

        max_tries: when given, a submission (readable or not) to an exercise that is already solved or
        has used max_tries valid tries is refused with ExerciseClosed and nothing is stored. The check and the
        insert are one transaction, serialised per exercise (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock on the student's exercise), so two tabs submitting at once cannot both take
        the last try.

        student_known: the caller has just read an attempt of this student, so the student's row exists
        (rows are never deleted) and is not inserted again.

        known_attempts: how many of the student's attempts to the assignment the caller has read (and
        decided on: the tries it graded with, a submission seen before). When the gradebook holds another
        number, AttemptsChanged is raised and nothing is stored. Rows are never deleted, so the same number
        is the same rows; the check runs under the same lock as max_tries, so the exercise's tries cannot
        change between it and the insert.

        Raises GradebookError when the database fails; CommitUnknown when it failed during COMMIT (the
        row may be stored: look it up by submission_id)."""
        for name, value in (("submission_id", submission_id), ("student_id", student_id),
                            ("assignment_id", assignment_id), ("family_id", family_id)):
            check_id(name, value)
        if mistake is not None:
            check_id("mistake", mistake)
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValueError(f"position must be an int >= 0, got {position!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
            raise ValueError(f"seed must be an int in the signed 64-bit range, got {seed!r}")
        score = float(score)
        if not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise ValueError(f"score must be between 0 and 1, got {score!r}")
        if not isinstance(answer, str):
            raise ValueError(f"answer must be a str (as typed), got {type(answer).__name__}")
        if answer_problem(answer):
            raise ValueError(f"answer cannot be stored (over {MAX_ANSWER_CHARS:,} characters, or a control "
                             f"character): {answer[:40]!r}")
        if max_tries is not None and (isinstance(max_tries, bool) or not isinstance(max_tries, int) or max_tries < 1):
            raise ValueError(f"max_tries must be an int >= 1, got {max_tries!r}")
        if known_attempts is not None and (isinstance(known_attempts, bool) or not isinstance(known_attempts, int)
                                           or known_attempts < 0):
            raise ValueError(f"known_attempts must be an int >= 0, got {known_attempts!r}")

        exercise = {"student_id": student_id, "assignment_id": assignment_id, "position": position}

        def work(conn: Connection, trans) -> Attempt:
            if max_tries is not None or known_attempts is not None:
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                                 {"key": json.dumps([student_id, assignment_id, position])})
                tries, best, seen, stored_now = conn.execute(
                    _TRIES_AND_SEEN, {**exercise, "submission_id": submission_id}).one()
                if known_attempts is not None and stored_now != known_attempts:
                    raise AttemptsChanged(f"{stored_now} attempts stored, {known_attempts} known")
                if max_tries is not None and seen is None and (tries >= max_tries or (best is not None and best >= SOLVED)):
                    raise ExerciseClosed("solved" if best is not None and best >= SOLVED else "no tries left")
            if not student_known:
                self._add_student(conn, student_id)
            row = conn.execute(self._insert_attempt, {
                **exercise, "submission_id": submission_id, "family_id": family_id, "seed": seed, "answer": answer,
                "valid": bool(feedback_valid), "score": score, "mistake": mistake,
            }).first()
            if row is None:  # stored before: the first row wins
                row = conn.execute(_BY_SUBMISSION, {"submission_id": submission_id}).one()
            stored = attempt_from_row(row)
            if (stored.student_id, stored.assignment_id, stored.position) != (student_id, assignment_id, position):
                raise ValueError(f"submission id {submission_id!r} was already used by another submission")
            try:
                trans.commit()
            except Exception as err:
                if isinstance(translate(err, None, self.timeout), GradebookReadOnly):
                    raise  # refused, so certainly not stored
                raise CommitUnknown("The gradebook stopped answering while saving the answer, so whether it "
                                    "was saved is not known.") from err
            return stored

        return self._write(work)

    # --- reading -----------------------------------------------------------------------------

    def attempts(self, student_id: str, assignment_id: str, position: int | None = None) -> list[Attempt]:
        """A student's submissions to an assignment (or one exercise of it), valid or not, oldest first."""
        query, params = _OF_ASSIGNMENT, {"student_id": student_id, "assignment_id": assignment_id}
        if position is not None:
            query, params = _OF_EXERCISE, {**params, "position": position}
        with self._read() as conn:
            return [attempt_from_row(row) for row in conn.execute(query, params)]

    def find(self, submission_id: str) -> Attempt | None:
        """The row stored under a submission id, or None: how a submission whose COMMIT went unanswered
        is resolved."""
        with self._read() as conn:
            row = conn.execute(_BY_SUBMISSION, {"submission_id": submission_id}).first()
        return None if row is None else attempt_from_row(row)

    def earned_solution(self, student_id: str, assignment_id: str, position: int, max_tries: int) -> bool:
        """Whether the student may now see the correct answer: solved, or max_tries valid tries used."""
        if max_tries < 1:
            raise ValueError(f"max_tries must be at least 1, got {max_tries}")
        with self._read() as conn:
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
