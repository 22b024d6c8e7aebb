"""Signing in on page 6, in the first mode the server is set up for:

    single sign-on   an [auth] section in .streamlit/secrets.toml (app/sso.py): students sign in only through it
    roster           ATTENTION_LAB_ROSTER names a roster CSV: an id on it and that student's personal code
    class code       ATTENTION_LAB_CLASS_CODE: any id with the shared code (unverified)
    bare id          nothing set: any id (unverified)

and, in every mode, "practice without signing in": nothing is stored and no grade is made (the
session keeps its attempts in memory, exercises/session_log.py). Wrong codes are slowed down
(exercises/throttle.py); how each student signed in is recorded for the dashboard.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import streamlit as st

from app import gradebook, sso
from app.gradebook import cannot_reach, class_code, roster_path
from app.plain import plain
from exercises import codes
from exercises import roster as rosters
from exercises.identity import METHODS, VERIFIED, SignInError, class_code_ok, normalize_student_id, record_signin
from exercises.session_log import SessionLog
from exercises.throttle import FREE, Throttle, seconds_text

PRACTICE = "practice"


@dataclass(frozen=True)
class Who:
    student_id: str
    method: str  # a key of identity.METHODS, or PRACTICE

    @property
    def verified(self) -> bool:
        return self.method in VERIFIED

    @property
    def practising(self) -> bool:
        return self.method == PRACTICE


def mode() -> str:
    """How students sign in on this server: sso, roster, class_code or id_only."""
    if sso.configured():
        return "sso"
    if roster_path():
        return "roster"
    return "class_code" if class_code() else "id_only"


def load_roster() -> rosters.Roster:
    """The roster the server names (RosterError when it cannot be used)."""
    return rosters.load(roster_path())


# --- where answers go -----------------------------------------------------------------------------

def store():
    """The gradebook; when practising without signing in, the session's own log (nothing is stored)."""
    who = st.session_state.get("ex_who")
    if who is not None and who.practising:
        return st.session_state.setdefault("ex_log", SessionLog())
    return gradebook.store()


def store_or_stop():
    """store(), or the page says the gradebook cannot be reached and stops."""
    try:
        return store()
    except Exception as err:  # an unreachable PostgreSQL, an unwritable SQLite folder
        cannot_reach(err)


# --- who is signed in -----------------------------------------------------------------------------

def _signed_in(sid: str, method: str) -> None:
    if method != PRACTICE:
        record_signin(gradebook.store().engine, sid, method)
    st.session_state.ex_who = Who(sid, method)
    st.session_state.ex_student = sid


def current() -> Who | None:
    """Who is signed in in this session, or None. With single sign-on, that is whoever st.login says."""
    who = st.session_state.get("ex_who")
    if mode() == "sso" and (who is None or who.method not in (PRACTICE, "lti")):  # an LMS launch stands
        ident = sso.identity()
        if ident is None:
            return None
        if who is None or who.student_id != ident.student_id:
            for key in [k for k in st.session_state if str(k).startswith("ex_")]:
                del st.session_state[key]  # another account: nothing of the last one stays
            try:
                _signed_in(ident.student_id, "sso")
            except Exception as err:
                cannot_reach(err)
        return st.session_state.ex_who
    return who


def sign_out() -> None:
    who = st.session_state.get("ex_who")
    for key in [k for k in st.session_state if str(k).startswith("ex_")]:
        del st.session_state[key]
    if who is not None and who.method == "sso":
        sso.logout()  # the browser goes to the provider's sign-out, then the home page
        st.stop()
    st.rerun()


def draw_signed_in(who: Who) -> None:
    """The line at the top of page 6: who, how, and Sign out."""
    top = st.columns([4, 1], vertical_alignment="center")
    if who.practising:
        top[0].markdown("**Practising without signing in**: nothing is saved and no grade is made; your "
                        "answers are forgotten when you close the tab.")
    else:
        top[0].markdown(f"Signed in as **{plain(who.student_id)}** ({plain(METHODS[who.method])})")
    if top[1].button("Stop practising" if who.practising else "Sign out", width="stretch"):
        sign_out()


# --- the sign-in box ------------------------------------------------------------------------------

def _refuse(message: str, icon: str = ":material/lock:") -> None:
    st.error(plain(message), icon=icon)


def _throttled(key: str) -> bool:
    """Count a try at `key`'s secret; True (and a message) when it must wait."""
    wait = Throttle(gradebook.store().engine).attempt(key)
    if wait:
        _refuse(f"Too many wrong tries for this id: wait {seconds_text(wait)} and try again. After {FREE} wrong "
                f"tries each try waits longer; ask your instructor if you lost your code.", ":material/timer:")
    return bool(wait)


def _check(typed_id: str | None, typed_code: str | None, how: str, roster: rosters.Roster | None) -> None:
    try:
        sid = normalize_student_id(typed_id)
    except SignInError as err:
        _refuse(str(err), ":material/person_alert:")
        return
    if how == "roster":
        if sid not in roster:
            _refuse(f"{sid} is not on this class's roster. Type your id as your instructor wrote it (like "
                    f"jdoe42), or ask them to add you.", ":material/person_alert:")
            return
        if _throttled(f"code:{sid}"):
            return
        if not codes.check(gradebook.store().engine, sid, typed_code):
            _refuse(f"That is not the personal code of {sid}. Type the code your instructor sent you (case, "
                    f"spaces and dashes do not matter).")
            return
        Throttle(gradebook.store().engine).succeeded(f"code:{sid}")
    elif how == "class_code":
        if _throttled(f"class:{sid}"):
            return
        if not class_code_ok(class_code(), typed_code):
            _refuse("That class code is not right: ask your instructor for it.")
            return
        Throttle(gradebook.store().engine).succeeded(f"class:{sid}")
    _signed_in(sid, how)
    st.rerun()


def draw_sign_in() -> None:
    """The sign-in box for this server's mode, and the way to practise without signing in."""
    how = mode()
    if how == "sso":
        st.markdown("Sign in with your university account to answer your own variant of each exercise. Your "
                    "answers are saved as you submit them.")
        sso.login_button()
    else:
        roster = None
        if how == "roster":
            try:
                roster = load_roster()
            except rosters.RosterError:
                st.error("Signing in is closed for now: the class roster cannot be read. Your instructor sees "
                         "why on the dashboard; you can practise without signing in meanwhile.",
                         icon=":material/lock:")
                how = None
        if how is not None:
            st.markdown("Sign in with your student id to answer your own variant of each exercise. Your answers "
                        "are saved as you submit them; sign in again later to carry on.")
            with st.form("signin"):
                typed = st.text_input("Student id", placeholder="e.g. jdoe42")
                typed_code = None
                if how == "roster":
                    typed_code = st.text_input("Personal code", type="password",
                                               help="The code your instructor sent you, like k7pq-3mzw-9fha.")
                elif how == "class_code":
                    typed_code = st.text_input("Class code", type="password")
                if st.form_submit_button("Sign in", type="primary"):
                    try:
                        _check(typed, typed_code, how, roster)
                    except Exception as err:  # the gradebook (codes, slow-down) cannot be reached
                        cannot_reach(err)
    st.divider()
    st.markdown("**Just practising?** Try any exercise of any assignment without an id: nothing is saved and "
                "no grade is made.")
    if st.button("Practice without signing in", icon=":material/school:"):
        st.session_state.ex_who = Who(f"{PRACTICE}-{secrets.token_hex(8)}", PRACTICE)
        st.session_state.ex_student = st.session_state.ex_who.student_id
        st.rerun()
