"""Page 6: Exercises. Sign in (app/signin.py) or practise without signing in, choose an assignment,
answer your own variant of each exercise, see feedback that names the mistake, a hint after a wrong
try, and the worked solution once earned (practice.State.earned_solution). Progress is in the
gradebook: sign in again later (or elsewhere) and carry on."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from app import lti_session, signin
from app.gradebook import cannot_reach, draw_feedback, draw_prompt
from app.plain import plain
from app.signin import store, store_or_stop  # the gradebook, or the session's own log when practising
from app.steps import draw_step
from exercises import assignments as assignment_files
from exercises import examples, practice, submission

log = logging.getLogger(__name__)

st.title("Exercises", anchor=False)


# --- sign in (app/signin.py: single sign-on, roster and code, class code, bare id, or practice) ---------

lti_session.redeem()  # ?lti=<token> from an LMS launch signs this session in (app/lti_session.py)
who = signin.current()
if who is None:
    signin.draw_sign_in()
    st.stop()
student = who.student_id
signin.draw_signed_in(who)
lti_session.draw_notice()  # opened from an LMS: the score goes to its gradebook


# --- answering ------------------------------------------------------------------------------------

def blank_grid(form: dict) -> pd.DataFrame:
    return pd.DataFrame([[None] * form["cols"] for _ in range(form["rows"])],
                        columns=[str(j + 1) for j in range(form["cols"])], dtype=object)


def typed_answer(aid: str, pos: int, form: dict) -> str:
    """What the student typed, read from the form's widgets (in a callback, before the script runs)."""
    if form["kind"] == "matrix" and st.session_state.get(f"ex_grid_{aid}_{pos}"):
        return submission.grid_answer(form["rows"], form["cols"], st.session_state.get(f"ex_in_grid_{aid}_{pos}"))
    value = st.session_state.get(f"ex_in_{aid}_{pos}")
    return "" if value is None else str(value)


def submit(student: str, assignment, pos: int, form: dict) -> None:
    """The Submit button's callback: grade, store (committed before the feedback shows), remember the
    feedback of the stored row for the run that follows. The same answer submitted again (a double
    click) is the same submission: stored once. If the gradebook fails, the message says whether the
    answer was saved, and the answer stays in the box."""
    aid = assignment.id
    for key in (f"ex_fb_{aid}_{pos}", f"ex_err_{aid}_{pos}", f"ex_pending_{aid}_{pos}"):
        st.session_state.pop(key, None)  # feedback shows only for the answer just stored
    drawn = st.session_state.pop("ex_attempts", None)  # the attempts the page was drawn from: not read again
    known = drawn[2] if drawn and drawn[:2] == (student, aid) else None  # (the gradebook checks they are all)
    try:
        outcome = submission.submit(store(), student, assignment, pos, typed_answer(aid, pos, form), known)
    except submission.MaybeSaved as err:  # resolved from the gradebook on the next run that reaches it
        st.session_state[f"ex_pending_{aid}_{pos}"] = err.submission_id
        st.session_state[f"ex_err_{aid}_{pos}"] = str(err)
        st.session_state.ex_gradebook_down = True
        return
    except submission.SaveFailed as err:
        st.session_state[f"ex_err_{aid}_{pos}"] = str(err)
        st.session_state.ex_gradebook_down = err.down  # the run that follows need not wait for it again
        return
    except Exception as err:  # a gradebook that cannot even be opened, or a bug: nothing was stored
        log.exception("submitting to %s, exercise %s failed", aid, pos)
        st.session_state[f"ex_err_{aid}_{pos}"] = (f"Your answer could not be saved ({type(err).__name__}), so it "
                                                   f"was not graded or counted. Submit it again in a moment.")
        st.session_state.ex_gradebook_down = True
        return
    st.session_state[f"ex_fb_{aid}_{pos}"] = outcome.feedback
    lti_session.after_submit(student, assignment, outcome)  # the score to the LMS's outbox, if launched from one
    if outcome.attempts is not None:  # the run that follows draws from these (and this assignment) instead of
        st.session_state.ex_attempts = (student, aid, outcome.attempts, assignment)  # reading them again


def resolve_pending(student: str, assignment, pos: int) -> None:
    """An answer whose save was in doubt: look it up now; its stored feedback, or say it was not saved.
    While the gradebook still cannot say, the "may not have been saved" message stays."""
    aid = assignment.id
    pending = st.session_state.get(f"ex_pending_{aid}_{pos}")
    if pending is None:
        return
    try:
        outcome = submission.resolve(store(), student, assignment, pos, pending)
    except Exception:  # still unreachable: still in doubt
        st.session_state.setdefault(f"ex_err_{aid}_{pos}", "Your last answer may not have been saved. Reload the "
                                                             "page to see whether it was counted.")
        return
    del st.session_state[f"ex_pending_{aid}_{pos}"]
    st.session_state.pop(f"ex_err_{aid}_{pos}", None)
    if outcome is None:
        st.session_state[f"ex_err_{aid}_{pos}"] = ("Your last answer was not saved, so it was not graded or counted: "
                                                   "submit it again.")
    else:
        st.session_state[f"ex_fb_{aid}_{pos}"] = outcome.feedback


# --- the assignment ------------------------------------------------------------------------------

found, problems = assignment_files.load()
if problems:
    st.warning("Some assignment files could not be read, so they are not listed; your instructor can see why "
               "on the dashboard.", icon=":material/warning:")
if not found:
    st.info("There are no assignments yet.", icon=":material/info:")
    st.stop()
by_id = {a.id: a for a in found}
wanted = st.query_params.get("assignment")
if "ex_assignment" not in st.session_state or st.session_state.ex_assignment not in by_id:
    if wanted is not None and wanted not in by_id:
        st.info("The link names an assignment that is not here, so the first one is shown. Fix: pick one from "
                "the list below.", icon=":material/link_off:")
    st.session_state.ex_assignment = wanted if wanted in by_id else found[0].id
aid = st.selectbox("Assignment", list(by_id), format_func=lambda a: by_id[a].title, key="ex_assignment")
if aid not in by_id:  # a title changed under an open page (the value is kept as its label): start over
    del st.session_state["ex_assignment"]
    st.rerun()
st.query_params["assignment"] = aid
if by_id[aid].description:
    st.caption(plain(by_id[aid].description))


def mark(s: practice.State) -> str:
    return "✓" if s.solved else ("✗" if s.closed else ("…" if s.tries else "○"))


def gradebook_failed(aid: str, err: Exception | None) -> None:
    """Say what happened to the answer just submitted, if one was, then that the gradebook cannot be
    reached (when `err`), and stop the page."""
    if doubt := st.session_state.get(f"ex_err_{aid}_{st.session_state.get(f'ex_pos_{aid}')}"):
        st.error(plain(doubt), icon=":material/cloud_off:")
    if err is not None:
        cannot_reach(err)
    st.button("Try again", type="primary")
    st.stop()


@st.fragment
def exercise_area(aid: str, student: str, verified: bool) -> None:
    """Everything below the assignment: score, progress, the exercise, its Submit and feedback. A fragment:
    a Submit (or moving to another exercise) reruns only this part, score and progress included, not
    the page around it (sign-in, the assignment list, the navigation). The assignment is looked up again
    on every run but the one right after a Submit, which used it (exercises.assignments reads a file
    again only when it changed)."""
    known = st.session_state.pop("ex_attempts", None)  # what the Submit just now stored, and the rest it knew
    fresh = known is not None and known[:2] == (student, aid) and known[3] is not None
    assignment = known[3] if fresh else next((a for a in assignment_files.load()[0] if a.id == aid), None)
    if assignment is None:  # removed or renamed since the page was drawn: the whole page again
        st.rerun(scope="app")
    if st.session_state.pop("ex_gradebook_down", False):  # the Submit a moment ago found it not answering
        gradebook_failed(aid, None)
    try:
        gradebook = store_or_stop()  # any run but the one after a Submit reads the attempts: another tab or
        attempts = known[2] if fresh else gradebook.attempts(student, aid)  # process may have stored some
        states = practice.states(gradebook, student, assignment, verified=verified, attempts=attempts)
    except Exception as err:  # the database went away after it was reached
        gradebook_failed(aid, err)
    st.session_state.ex_attempts = (student, aid, attempts, None)  # the next Submit's callback starts from these

    solved = sum(s.solved for s in states)
    score = practice.total(states)
    # one element for the score and the exercises solved (two metrics would be three: a Submit redraws them)
    st.metric("Score", f"{score:.0%}", delta=f"{solved} of {assignment.size} solved", delta_color="off",
              delta_arrow="off")
    # the progress marks and the tries label the bar (one element, not a bar, a caption and a third metric)
    tries = sorted({i.tries for i in assignment.items})
    per = f"{tries[0]} tr{'y' if tries[0] == 1 else 'ies'} per exercise" if len(tries) == 1 else "tries vary by exercise"
    st.progress(score, text="Progress: " + " · ".join(f"{mark(s)} {i + 1}" for i, s in enumerate(states)) +
                f" (✓ solved, ✗ no tries left, … tried, ○ not started) · {per}")

    # Streamlit keeps a selectbox's value as its label: labels must not change with progress, or a
    # submit would turn the chosen exercise into a stale label. Progress marks go on the bar above.
    pos_key = f"ex_pos_{aid}"
    if not isinstance(st.session_state.get(pos_key, 0), int) or st.session_state.get(pos_key, 0) >= assignment.size:
        st.session_state.pop(pos_key, None)  # a stale value, or the instructor shortened the assignment meanwhile
    if pos_key not in st.session_state:
        st.session_state[pos_key] = next((i for i, s in enumerate(states) if not s.closed), 0)
    pos = st.selectbox("Exercise", range(assignment.size), key=pos_key,
                       format_func=lambda i: f"{i + 1}. {practice.exercise_title(assignment, i)}")
    state = states[pos]
    ex = practice.exercise(student, assignment, pos)


    # --- the exercise --------------------------------------------------------------------------------

    with st.container(border=True):
        form = ex.form()
        fb_key = f"ex_fb_{aid}_{pos}"
        resolve_pending(student, assignment, pos)
        # the title, the question and where the student stands: one element (a Submit redraws it)
        if state.closed:
            status = (f"**{'Solved' if state.solved else 'No tries left'}** · best score {state.score:.0%} after "
                      f"{state.tries} tr{'y' if state.tries == 1 else 'ies'}")
        else:
            status = f":small[Try {state.tries + 1} of {state.max_tries}. An answer that cannot be read is not counted.]"
        draw_prompt(ex, f"{pos + 1}. {ex.title}", status)

        if not state.closed:
            kind = form["kind"]
            if kind == "matrix":
                st.toggle("Fill in a grid instead", key=f"ex_grid_{aid}_{pos}")
            with st.form(f"ex_form_{aid}_{pos}"):
                if kind == "choice":
                    st.radio("Your answer", form["options"], index=None, key=f"ex_in_{aid}_{pos}")
                elif kind == "matrix" and st.session_state.get(f"ex_grid_{aid}_{pos}"):
                    st.data_editor(blank_grid(form), key=f"ex_in_grid_{aid}_{pos}", hide_index=True, width="stretch")
                elif kind == "matrix":
                    st.text_area(examples.label(form), value=state.last_answer,
                                 key=f"ex_in_{aid}_{pos}", placeholder=examples.MATRIX_PLACEHOLDER,
                                 height=40 + 26 * form["rows"])
                else:
                    st.text_input(examples.label(form), value=state.last_answer, key=f"ex_in_{aid}_{pos}")
                # graded and stored in the callback, before the script runs: one run per submission, and the
                # score above already counts it
                st.form_submit_button("Submit", type="primary", on_click=submit, args=(student, assignment, pos, form))

        if error := st.session_state.pop(f"ex_err_{aid}_{pos}", None):
            st.error(plain(error), icon=":material/cloud_off:")
        fb = st.session_state.get(fb_key)
        hint = ex.hint() if state.show_hint and not state.closed else None
        if fb is not None:
            draw_feedback(fb, hint)  # the hint in the feedback's element
        else:
            if state.last_score is not None:
                st.caption(f"Your last answer: {plain(state.last_answer)} (score {state.last_score:.0%})")
            if hint:
                st.info(plain(hint), icon=":material/lightbulb:")

    if state.closed and not state.earned_solution:
        st.info("This is the lecture's own exercise: its numbers are the same for everyone, so its answer shows only "
                "to those who solve it, or after the last try to students signed in with a personal code or single "
                "sign-on.", icon=":material/visibility_off:")
    if state.earned_solution:
        solution = practice.solution(ex, state)
        with st.container(border=True):  # the heading, the answer and its working: one element
            st.markdown("### Worked solution\n\n**Answer:** " + plain(solution.answer)
                        + (f"\n\n{plain(solution.worked)}" if solution.worked else ""), anchors=False)
            if solution.steps and st.toggle("Walk through it step by step, as on page 1", key=f"ex_walk_{aid}_{pos}"):
                for i, step in enumerate(solution.steps, start=1):
                    draw_step(step, i, f"ex_steps_{aid}_{pos}")

    nav = st.container(horizontal=True)  # one block, not three (two columns): a Submit redraws it
    if pos > 0:
        nav.button("◀ Previous exercise", on_click=lambda: st.session_state.update({pos_key: pos - 1}),
                   width="stretch")
    if pos + 1 < assignment.size:
        nav.button("Next exercise ▶", on_click=lambda: st.session_state.update({pos_key: pos + 1}), width="stretch",
                   type="primary" if state.closed else "secondary")


exercise_area(aid, student, who.verified)
