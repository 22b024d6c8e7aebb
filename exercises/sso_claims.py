"""Single sign-on without Streamlit: the claims an OpenID Connect provider vouches for (what
`st.user` holds after `st.login`) -> the student id the gradebook keys on, and whether that person
is an instructor.

The id is one claim (`email` unless the server names another, e.g. `preferred_username` or `sub`),
normalized and validated exactly like a typed id (identity.normalize_student_id), except that a claim
is never folded: a claim with any character outside ASCII (a look-alike such as `𝐚𝐥𝐢𝐜𝐞` or a
Cyrillic `а`) is refused, not mapped onto an ASCII id someone else owns. An e-mail the provider says
is not verified (`email_verified` false) is refused too: some providers let a user type any address.

Instructors are listed by the server (ids or e-mails, see `instructor_list`); a signed-in person is
an instructor when their id, or their verified e-mail, is on the list.

This module never imports streamlit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from exercises.identity import MAX_STUDENT_ID, SignInError, normalize_student_id

log = logging.getLogger(__name__)

DEFAULT_CLAIM = "email"
_CLAIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,199}")  # Auth0 names custom claims by URL


class ClaimError(SignInError):
    """A sign-in the provider vouched for that still yields no student id; str(error) says why and
    what to do (the person cannot fix a claim by typing: they sign in with another account or ask)."""


@dataclass(frozen=True)
class Identity:
    """Who is signed in through the institution's sign-in."""

    student_id: str  # normalized: what the gradebook keys on
    instructor: bool  # on the server's instructor list
    email: str | None  # the verified e-mail the provider sent, lower case (None when it sent none)


def claim_name(setting: str | None) -> str:
    """The configured claim's name (blank: `email`). A name that no provider could send is a
    configuration error, reported to whoever reads the log and the page."""
    name = ("" if setting is None else str(setting)).strip() or DEFAULT_CLAIM
    if not _CLAIM_NAME.fullmatch(name):
        raise ClaimError(f"The server's student_id_claim setting {name[:70]!r} is not a claim name (like email, "
                         f"preferred_username or sub). Your instructor can fix it in the server's settings.")
    return name


def _ascii_id(value: object, what: str) -> str:
    """A claim's value -> a normalized id, or ClaimError. Never folds: non-ASCII is refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ClaimError(f"Your sign-in sent {what} in a form this app cannot use as a student id. Ask your "
                         f"instructor to choose another claim.")
    text = str(value).strip()
    if not text:
        raise ClaimError(f"Your sign-in sent an empty {what}. Sign in with your institution's account, or ask your "
                         f"instructor which account to use.")
    if not text.isascii():
        raise ClaimError(f"Your sign-in's {what} has characters other than plain letters, digits and . _ @ - "
                         f"(look-alike letters are not read as plain ones). Sign in with your institution's "
                         f"account, or ask your instructor.")
    if len(text) > MAX_STUDENT_ID:
        raise ClaimError(f"Your sign-in's {what} is {len(text)} characters long; student ids have at most "
                         f"{MAX_STUDENT_ID}. Ask your instructor to choose a shorter claim.")
    try:
        return normalize_student_id(text)
    except SignInError:
        raise ClaimError(f"Your sign-in's {what} is not a student id: ids have only letters, digits and . _ @ - and "
                         f"start with a letter or digit. Ask your instructor to choose another claim.") from None


def _verified_email(claims: Mapping) -> str | None:
    """The e-mail the provider sent, normalized, unless it says the address is not verified (or the
    address could not be an id)."""
    if claims.get("email_verified") is False or str(claims.get("email_verified")).lower() == "false":
        return None
    try:
        return _ascii_id(claims.get("email"), "e-mail address") if claims.get("email") else None
    except ClaimError:
        return None


def student_id(claims: Mapping, claim: str = DEFAULT_CLAIM) -> str:
    """The normalized student id in `claim`, or ClaimError saying why there is none."""
    what = "e-mail address" if claim == "email" else f"'{claim}' claim"
    if claims.get(claim) is None:
        raise ClaimError(f"Your sign-in did not send your {what}, which this app uses as your student id. Sign in "
                         f"with your institution's account, or ask your instructor.")
    sid = _ascii_id(claims.get(claim), what)
    if claim == "email" and _verified_email(claims) is None:
        raise ClaimError("Your sign-in says your e-mail address is not verified, so it cannot be your student id. "
                         "Verify it with your institution's sign-in, or ask your instructor.")
    return sid


def instructor_list(setting: str | Iterable[str] | object | None) -> frozenset[str]:
    """The server's instructor list (ATTENTION_LAB_INSTRUCTORS: ids or e-mails separated by commas,
    spaces or new lines; or `instructors` in secrets.toml, a list or such a string), normalized like
    ids. An entry that could not be an id is left out and logged: it could never match anyone."""
    if setting is None:
        return frozenset()
    if isinstance(setting, (list, tuple, set, frozenset)):
        entries = [str(e) for e in setting]
    else:  # a string, or whatever else a hand-edited secrets.toml holds
        entries = re.split(r"[,;\s]+", str(setting))
    found = set()
    for entry in entries:
        if not entry.strip():
            continue
        try:
            found.add(_ascii_id(entry, "instructor entry"))
        except ClaimError:
            log.warning("instructor list: %r is not an id or e-mail, and is ignored", entry[:80])
    return frozenset(found)


def identity(claims: Mapping, claim: str = DEFAULT_CLAIM, instructors: Iterable[str] = ()) -> Identity:
    """The person the provider's claims name, or ClaimError. `instructors`: instructor_list()'s set."""
    sid = student_id(claims, claim)
    email = _verified_email(claims)
    listed = frozenset(instructors)
    return Identity(sid, sid in listed or (email is not None and email in listed), email)
