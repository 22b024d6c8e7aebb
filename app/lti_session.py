"""The Streamlit side of an LMS launch: redeem the one-time hand-off the launch route left in the URL
(exercises/lti/launch.py), and after a Submit queue the assignment's score for the LMS
(exercises/lti/outbox.py). Two one-line hooks: redeem() at the top of page 6 and of the dashboard,
after_submit() in page 6's Submit callback."""

from __future__ import annotations

import logging
import os

import streamlit as st

from app import gradebook
from app.plain import plain
from app.signin import Who
from exercises import practice
from exercises.identity import record_signin

# exercises.lti (pylti1p3, requests, jwcrypto: a quarter of a second to import) is imported only by a
# session that comes from an LMS, or a dashboard on a server with LTI set up: page 6 stays as light as before.

log = logging.getLogger(__name__)


def redeem() -> None:
    """?lti=<token> in the URL: sign this session in as the LMS says (once), then drop it from the URL."""
    token = st.query_params.get("lti")
    if token is None:
        return
    del st.query_params["lti"]
    from exercises.lti import launch

    engine = gradebook.store_or_stop().engine
    handoff = launch.redeem(engine, token)
    if handoff is None:
        st.error("This link from your LMS was already used or is over two minutes old, so it signs nobody in. "
                 "Open the assignment again from your course page in the LMS.", icon=":material/link_off:")
        return
    for key in [k for k in st.session_state if str(k).startswith("ex_")]:
        del st.session_state[key]  # another person's launch in this tab: nothing of the last one stays
    if handoff.role == "instructor":
        st.session_state.instructor = True  # the dashboard opens (app/dashboard_signin.py)
    record_signin(engine, handoff.student_id, "lti")
    st.session_state.ex_who = Who(handoff.student_id, "lti")
    st.session_state.ex_student = handoff.student_id
    if handoff.assignment_id:
        st.session_state.ex_assignment = handoff.assignment_id
        st.query_params["assignment"] = handoff.assignment_id
        if handoff.position is not None:
            st.session_state[f"ex_pos_{handoff.assignment_id}"] = handoff.position
    if handoff.link_id is not None:
        st.session_state.ex_lti = {"link_id": handoff.link_id, "sub": handoff.payload.get("sub"),
                                   "assignment_id": handoff.assignment_id, "position": handoff.position,
                                   "one_exercise": handoff.payload.get("one_exercise", False)}


def after_submit(student: str, assignment, outcome) -> None:
    """Queue the assignment's score for the LMS when this session came from a launch with grade passback.
    Never raises and never waits for the LMS: a failure is logged, and the next submission queues again."""
    lti = st.session_state.get("ex_lti")
    if not lti or lti["assignment_id"] != assignment.id or not outcome.stored or outcome.repeated:
        return
    try:
        from exercises.lti import outbox

        store = gradebook.store()
        states = practice.states(store, student, assignment, verified=True, attempts=outcome.attempts)
        if lti["one_exercise"]:  # a link to one exercise: its score, out of 1
            scored = [states[lti["position"]]]
        else:
            scored = states
        outbox.enqueue(store.engine, lti["link_id"], student, lti["sub"], practice.total(scored),
                       all(s.closed for s in scored))
    except Exception:
        log.exception("queueing a score for the LMS failed")


def draw_notice() -> None:
    """A line under the sign-in saying the score goes to the LMS."""
    if st.session_state.get("ex_lti"):
        st.caption(plain("Opened from your LMS: your score on this assignment is sent to its gradebook after "
                         "each answer."))


def draw_dashboard_status(engine) -> None:
    """The dashboard's line on LTI: the LMS registrations, and scores still waiting for the LMS."""
    if not os.environ.get("ATTENTION_LAB_LTI_PLATFORMS"):
        return
    from exercises.lti import config, outbox

    try:
        found = config.load_platforms()
    except config.LtiConfigError as err:
        st.error(plain(f"LMS launches are refused: {err}"), icon=":material/link_off:")
        return
    waiting = outbox.pending(engine)
    st.caption(plain(f"LTI 1.3: {len(found)} LMS registration{'s' if len(found) != 1 else ''} "
                     f"({', '.join(p.name for p in found)}); {len(waiting)} score{'s' if len(waiting) != 1 else ''} "
                     f"waiting to be sent to the LMS."))
    failed = [r for r in waiting if r.last_error]
    if failed:
        st.warning(plain(f"{len(failed)} scores could not be sent to the LMS yet; they are retried every 30 s at "
                         f"most. The last reason: {failed[-1].last_error}"), icon=":material/sync_problem:")
