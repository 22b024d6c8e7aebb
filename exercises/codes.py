"""Personal sign-in codes for roster students: made at random, shown once (to the instructor, who mails
them out), stored only as a salted hash in the gradebook's database (table signin_codes).

A code is 12 characters from a 31-letter alphabet with no look-alikes (no i, l, o, 0, 1), printed in
groups of four: `k7pq-3mzw-9fha`. That is about 59 bits of chance: a stolen database cannot be turned
back into codes by guessing (2^59 hashes per code), so one salted SHA-256 is enough and checking is
instant; at the sign-in box the slow-down (exercises/throttle.py) bounds guessing to a few tries a
minute. Typing is forgiving: case, spaces and dashes are ignored.

This module never imports streamlit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from exercises.signin_tables import codes, ensure, insert

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 12
MAX_TYPED = 100  # longer typed codes are refused before hashing


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def canonical(typed: str | None) -> str:
    """What is hashed: the typed code without spaces or dashes, lower case."""
    return "".join(ch for ch in (typed or "") if ch not in " -\t").lower()


def hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    return f"{salt}${hashlib.sha256((salt + canonical(code)).encode()).hexdigest()}"


def matches(code: str, stored: str | None) -> bool:
    """True when `code` is the one whose hash is `stored` (compared in constant time)."""
    if not stored or "$" not in stored:
        return False
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(hash_code(code, salt), stored)


def issue(engine: Engine, student_ids: Iterable[str]) -> dict[str, str]:
    """A new code for each student, replacing any code they had (only theirs), in one transaction.
    Returns {student_id: code}: the only time the codes exist outside a hash."""
    made = {sid: new_code() for sid in student_ids}
    if not made:
        return made
    ensure(engine)
    ins = insert(engine)
    with engine.begin() as conn:
        for sid, code in made.items():
            stmt = ins(codes).values(student_id=sid, code_hash=hash_code(code))
            conn.execute(stmt.on_conflict_do_update(index_elements=["student_id"],
                                                    set_={"code_hash": stmt.excluded.code_hash,
                                                          "created_at": func.now()}))
    return made


def check(engine: Engine, student_id: str, typed: str | None) -> bool:
    """True when `typed` is `student_id`'s current code. A student with no code yet never matches."""
    if not typed or len(typed) > MAX_TYPED:
        return False
    ensure(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(codes.c.code_hash).where(codes.c.student_id == student_id)).scalar()
    return matches(typed, stored)


def with_codes(engine: Engine) -> set[str]:
    """The students who have a code."""
    ensure(engine)
    with engine.connect() as conn:
        return set(conn.execute(select(codes.c.student_id)).scalars())
