"""Who may open the instructor dashboard: an instructor signed in through single sign-on (app/sso.py),
or whoever types the password of ATTENTION_LAB_INSTRUCTOR_PASSWORD, slowed down after wrong tries
(exercises/throttle.py: the count is in the gradebook, shared by every app process). Also the line that
says how students sign in, and whether their ids are verified."""

from __future__ import annotations

import hmac

import streamlit as st

from app import gradebook, signin, sso
from app.gradebook import cannot_reach, instructor_password
from app.plain import plain
from exercises import codes
from exercises.roster import RosterError
from exercises.throttle import FREE, Throttle, seconds_text

KEY = "dashboard"


def _password_form(password: str) -> None:
    with st.form("instructor_signin"):
        typed = st.text_input("Password", type="password")
        if not st.form_submit_button("Open the dashboard", type="primary"):
            return
        try:
            throttle = Throttle(gradebook.store().engine)
            wait = throttle.attempt(KEY)
            if wait:
                st.error(f"Too many wrong passwords: wait {seconds_text(wait)} and try again. After {FREE} wrong "
                         f"passwords each try waits longer.", icon=":material/timer:")
                return
            if hmac.compare_digest(typed.encode(), password.encode()):
                throttle.succeeded(KEY)
                st.session_state.instructor = True
                st.rerun()
        except Exception as err:  # the gradebook (which keeps the count) cannot be reached
            cannot_reach(err)
        st.error("That password is not right.", icon=":material/lock:")


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
            st.info(plain(f"You are signed in as {ident.student_id}, who is not on the instructor list "
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
