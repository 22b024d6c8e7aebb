"""Who a student is: the id the gradebook keys on, and how they proved it.

Ids: what a student types is trimmed and lower-cased, and must be plain ASCII letters, digits and
. _ @ - (a university login or e-mail), 1 to 64 characters. Look-alikes are refused, not folded:
folding `𝐚𝐥𝐢𝐜𝐞` (mathematical bold) or `Ａｌｉｃｅ` (full width) into `alice` would let them sign in as
alice.

Sign-in methods, most trusted first (VERIFIED ones prove the student is who the id says):

    sso         the university's single sign-on (st.login); the id comes from the provider
    lti         a launch from the course's LMS (LTI 1.3); the id is its e-mail claim (exercises/lti/)
    roster      an id on the instructor's roster with its personal code
    class_code  any id, with the class's shared code: unverified (anyone with the code can type any id)
    id_only     any id, no code at all: unverified

`record_signin` keeps the latest method per student in the table `signins`, for the dashboard.
This module never imports streamlit.
"""

from __future__ import annotations

import hmac
import re

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.errors import UserError
from exercises.signin_tables import ensure, insert, signins

MAX_STUDENT_ID = 64
_STUDENT_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")
METHODS = {"sso": "single sign-on", "lti": "LMS launch (LTI 1.3)", "roster": "roster code", "class_code": "class code only, unverified",
           "id_only": "id only, unverified"}
VERIFIED = frozenset({"sso", "lti", "roster"})


class SignInError(UserError):
    """A student id, code or password that is refused; str(error) says what is wrong and how to fix it."""


def normalize_student_id(text: str | None) -> str:
    """The id a student types -> the id the gradebook keys on, or SignInError saying what to fix."""
    if not isinstance(text, str) or not text.strip():
        raise SignInError("Type your student id (the login your instructor gave you, like jdoe42).")
    text = text.strip()
    if len(text) > MAX_STUDENT_ID:
        raise SignInError(f"That student id is {len(text)} characters long; ids have at most {MAX_STUDENT_ID}. "
                          f"Type your login (like jdoe42), not a longer text.")
    if not text.isascii():
        odd = next(ch for ch in text if not ch.isascii())
        raise SignInError(f"A student id uses only plain letters and digits (a to z, 0 to 9) and . _ @ -; "
                          f"{odd!r} is not one of them. Type your id on a plain keyboard (like jdoe42).")
    sid = text.lower()
    if not _STUDENT_ID.match(sid):
        raise SignInError("A student id has only letters, digits and . _ @ - and starts with a letter or digit "
                          "(like jdoe42 or jdoe@uw.edu).")
    return sid


def class_code_ok(expected: str | None, typed: str | None) -> bool:
    """True when no class code is set, or when `typed` is it (compared in constant time, spaces around
    it ignored)."""
    if not expected:
        return True
    return hmac.compare_digest((typed or "").strip().encode(), expected.strip().encode())


def record_signin(engine: Engine, student_id: str, method: str) -> None:
    """Remember how `student_id` signed in last (method: a key of METHODS)."""
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    ensure(engine)
    stmt = insert(engine)(signins).values(student_id=student_id, method=method)
    with engine.begin() as conn:
        conn.execute(stmt.on_conflict_do_update(index_elements=["student_id"],
                                                set_={"method": method, "last_at": func.now()}))


def methods(engine: Engine) -> dict[str, str]:
    """{student_id: how they last signed in} for every student who signed in."""
    ensure(engine)
    with engine.connect() as conn:
        return dict(conn.execute(select(signins.c.student_id, signins.c.method)).all())
