"""The gradebook's two tables, the values its queries return, and what a stored value may hold.

    students  id (text, the sign-in id), created_at
    attempts  one row per submission, append-only: id, submission_id (unique: see submission_key),
              student_id, assignment_id, position, family_id, seed (what identifies the variant), answer
              (as typed), valid, score (0..1), mistake (a named mistake or null), created_at (set by the
              database)

Rows are never updated or deleted; there is no API for it, and the mapper refuses an UPDATE or DELETE
of an attempt.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SOLVED = 1.0 - 1e-9  # a best score at or above this is "solved" (never compare floats with ==)
MAX_ID_LENGTH = 200
MAX_ANSWER_CHARS = 10_000  # a longer answer is refused before grading and never stored
SEED_RANGE = (-(2**63), 2**63 - 1)  # seeds are stored as BIGINT (signed 64-bit)
_KEPT_CONTROLS = "\n\t"  # matrices are typed with line breaks and tabs (a paste from a spreadsheet)


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


@dataclass(frozen=True)
class Attempt:
    """One stored submission (a plain frozen value: safe to keep in st.session_state, never written back)."""

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


def attempt_from_row(row) -> Attempt:
    m = row._mapping
    created = m["created_at"]
    if created.tzinfo is None:  # SQLite's CURRENT_TIMESTAMP is UTC without a zone
        created = created.replace(tzinfo=UTC)
    return Attempt(
        id=m["id"], submission_id=m["submission_id"], student_id=m["student_id"], assignment_id=m["assignment_id"],
        position=m["position"], family_id=m["family_id"], seed=m["seed"], answer=m["answer"], valid=bool(m["valid"]),
        score=m["score"], mistake=m["mistake"], created_at=created,
    )


# ---------------------------------------------------------------------------------------------
# what may be stored


def clean_answer(answer: str) -> str:
    """Line ends as a browser on any system sends them (\\r\\n, \\r) -> \\n."""
    return answer.replace("\r\n", "\n").replace("\r", "\n")


def answer_problem(answer: str) -> str | None:
    """Why an answer cannot be stored (a message for the student: what is wrong, how to fix it), or None.
    Too long (over MAX_ANSWER_CHARS), or a control character other than line break and tab (NUL cannot be
    kept by PostgreSQL at all; the others come from a stray paste and read as nothing)."""
    if len(answer) > MAX_ANSWER_CHARS:
        return (f"Your answer is {len(answer):,} characters long; an answer has at most {MAX_ANSWER_CHARS:,}. "
                f"Type only the answer itself (a number, a matrix or a word) and submit it again.")
    bad = next((c for c in answer if c not in _KEPT_CONTROLS and unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        return (f"Your answer contains an invisible control character (U+{ord(bad):04X}), which cannot be saved; it "
                f"usually comes with text pasted from a PDF or a terminal. Type the answer in again rather than "
                f"pasting it, and submit it again.")
    return None


def submission_key(student_id: str, assignment_id: str, position: int, family_id: str, seed: int,
                   answer: str) -> str:
    """The submission id of one typed answer to one exercise: the same for every click, rerun, app
    process and retry of that answer, so it is stored once. Spaces inside a line and blank lines around
    the answer do not make another answer ("0.5 " is "0.5"); line breaks do (a matrix's rows)."""
    lines = [" ".join(line.split()) for line in clean_answer(answer).strip().split("\n")]
    text = json.dumps([student_id, assignment_id, position, family_id, seed, "\n".join(lines)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def check_id(name: str, value: str) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{name} must be a non-empty str of at most {MAX_ID_LENGTH} characters, got {value!r}")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise ValueError(f"{name} must not contain control characters, got {value!r}")
