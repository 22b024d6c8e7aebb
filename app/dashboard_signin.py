"""Who may open the instructor dashboard: an instructor signed in through single sign-on (app/sso.py),
or whoever types the password of ATTENTION_LAB_INSTRUCTOR_PASSWORD, slowed down after wrong tries
(exercises/throttle.py: the count is in the gradebook, shared by every app process). Also the line that
says how students sign in, and whether their ids are verified."""

from __future__ import annotations

import hmac
import logging
import time

import streamlit as st

from app import gradebook, signin, sso
from app.gradebook import cannot_reach, instructor_password
from app.plain import plain
from exercises import codes
from exercises.roster import RosterError
from exercises.throttle import FREE, Throttle, seconds_text

KEY = "dashboard"
UNCOUNTED_WAIT = 1.0  # seconds every password try waits while the gradebook cannot keep the count

log = logging.getLogger(__name__)


def _password_form(password: str) -> None:
    with st.form("instructor_signin"):
        typed = st.text_input("Password", type="password")
        if not st.form_submit_button("Open the dashboard", type="primary"):
            return
        throttle, wait = _attempt()
        if wait:
            st.error(f"Too many wrong passwords: wait {seconds_text(wait)} and try again. After {FREE} wrong "
                     f"passwords each try waits longer.", icon=":material/timer:")
            return
        if hmac.compare_digest(typed.encode(), password.encode()):
            if throttle is not None:
                throttle.succeeded(KEY)
            st.session_state.instructor = True
            st.rerun()
        st.error("That password is not right.", icon=":material/lock:")


def _attempt() -> tuple[Throttle | None, float]:
    """Count a password try: (the throttle, seconds still to wait). When the gradebook cannot keep the
    count (read-only, or gone), every try waits UNCOUNTED_WAIT seconds instead, so the instructor can
    still get in and read what is wrong with it."""
    try:
        throttle = Throttle(gradebook.store().engine)
        return throttle, throttle.attempt(KEY)
    except Exception:  # noqa: BLE001 - the gradebook cannot be written: slow every try down instead
        log.warning("the dashboard's slow-down cannot write to the gradebook", exc_info=True)
        time.sleep(UNCOUNTED_WAIT)
        return None, 0.0


def dashboard_open() -> bool:
    """True when this session may see the dashboard; else draws the way in and returns False."""
    ident = sso.identity() if sso.configured() else None
    if ident is not None and ident.instructor:
        return True
    if st.session_state.get("instructor"):
        return True
    password = instructor_password()
    if sso.configured():
        if ident is not None:
            st.info(plain(f"You are signed in as {ident.student_id}, who is not listed as an instructor "
                          f"(ATTENTION_LAB_INSTRUCTORS, or instructors in .streamlit/secrets.toml)."),
                    icon=":material/lock:")
            if st.button("Sign out", key="dash_sso_sign_out"):
                sso.logout()
                st.stop()
        else:
            st.markdown("Instructors sign in with their university account.")
            sso.login_button()
    if not password:
        if not sso.configured():
            st.info("The dashboard is closed: set the environment variable ATTENTION_LAB_INSTRUCTOR_PASSWORD (or "
                    "instructor_password in .streamlit/secrets.toml) and restart the app.", icon=":material/lock:")
        return False
    _password_form(password)
    return False


def draw_lock() -> None:
    """Sign out (single sign-on) or lock the dashboard again (password)."""
    ident = sso.identity() if sso.configured() else None
    if ident is not None and ident.instructor:
        if st.button("Sign out", key="dash_sign_out"):
            sso.logout()
            st.stop()
    elif st.session_state.get("instructor") and st.button("Lock the dashboard"):
        st.session_state.pop("instructor", None)
        st.rerun()


def draw_mode() -> None:
    """How students sign in on this server; plainly, when their ids are not verified."""
    how = signin.mode()
    if how == "sso":
        st.caption("Students sign in through single sign-on: every id is verified.")
    elif how == "roster":
        try:
            roster = signin.load_roster()
        except RosterError as err:
            st.error(plain(f"Students cannot sign in: {err}"), icon=":material/error:")
            return
        try:
            have = codes.with_codes(gradebook.store().engine)
        except Exception as err:  # the gradebook went away
            cannot_reach(err)
        missing = [sid for sid in roster.students if sid not in have]
        st.caption(plain(f"Students sign in with the roster {roster.path} ({len(roster.students)} students) and "
                         f"their personal codes: every id is verified."))
        if missing:
            st.warning(plain(f"{len(missing)} students on the roster have no code yet, so they cannot sign in "
                             f"(for example {', '.join(missing[:3])}). Make theirs with: python -m exercises.roster "
                             f"codes {roster.path} --student ID"), icon=":material/key:")
    else:
        code = "the class code" if how == "class_code" else "no code at all"
        st.warning(f"Students sign in with {code}: their ids are **unverified**. Anyone who can open page 6 can "
                   f"type any id, see that student's answers and use up their tries. Use this for practice "
                   f"sessions; for grades, set a roster (ATTENTION_LAB_ROSTER) or single sign-on.",
                   icon=":material/gpp_maybe:")
