"""Single sign-on through st.login: a STAND-IN on the `signin` branch, which `sso`'s app/sso.py replaces
at the merge. It has the agreed interface and reports single sign-on as not configured, so page 6 and
the dashboard fall back to the roster, the class code or a bare id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    student_id: str  # already normalized
    instructor: bool
    email: str | None


def configured() -> bool:
    """True when an [auth] section is set, so st.login works."""
    return False


def identity() -> Identity | None:
    """Who is signed in through st.login, or None."""
    return None


def login_button() -> None:
    """The "Sign in with <provider>" button (calls st.login)."""


def logout() -> None:
    """Sign out of st.login."""
