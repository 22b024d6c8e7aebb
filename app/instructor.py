"""The instructor dashboard: for instructors signed in through single sign-on, or behind the password of
ATTENTION_LAB_INSTRUCTOR_PASSWORD (or the `instructor_password` Streamlit secret), slowed down after
wrong tries (app/dashboard_signin.py). The roster with a score per assignment, how many students made
each named mistake on each exercise, the CSV export for an LMS gradebook, and a preview of any exercise
at any seed with its answer, worked solution and typical wrong answers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import dashboard_signin, live_view, lti_session
from app.gradebook import draw_feedback, draw_prompt, store_or_stop, warn_if_not_writable
from app.plain import plain
from exercises import BY_ID, REGISTRY, identity, practice, submission
from exercises import assignments as assignment_files
from exercises.base import format_answer
from exercises.identity import METHODS
from exercises.store.canvas_csv import Column

st.title("Instructor dashboard", anchor=False)

lti_session.redeem()  # an LMS instructor's launch opens the dashboard (app/lti_session.py)
if not dashboard_signin.dashboard_open():  # an instructor through single sign-on, or the password (slowed down)
    st.stop()

dashboard_signin.draw_lock()

found, problems = assignment_files.load()
for problem in problems:
    st.warning(plain(problem), icon=":material/warning:")
gradebook = store_or_stop()
warn_if_not_writable(gradebook)
lti_session.draw_dashboard_status(gradebook.engine)  # LMS registrations, scores waiting (LTI)
st.caption(plain(f"Assignments from {assignment_files.folder()} · gradebook {gradebook.engine.url!r}"))
dashboard_signin.draw_mode()

roster_tab, live_tab, mistakes_tab, export_tab, preview_tab = st.tabs(
    ["Roster", "Live", "Mistakes", "CSV export", "Preview"])

ids = [a.id for a in found]
layouts = {a.id: [item.family_id for item in a.items] for a in found}  # scores count what page 6 counts

with roster_tab:
    rows = gradebook.roster(ids, layouts=layouts)
    if not rows:
        st.info("No student has signed in and submitted yet.")
    else:
        how = identity.methods(gradebook.engine)  # verified or not, for each student
        frame = pd.DataFrame([{"student": r.student_id, "signed in with": METHODS.get(how.get(r.student_id), "unknown"),
                               **{a: (None if r.scores[a] is None else 100 * r.scores[a]) for a in ids}}
                              for r in rows])
        st.dataframe(frame, hide_index=True, width="stretch",
                     column_config={a: st.column_config.ProgressColumn(a, min_value=0, max_value=100, format="%.0f%%")
                                    for a in ids})
        st.caption(f"{len(rows)} students. A score is the mean of the best score on each exercise; an empty cell "
                   f"means no submission to that assignment.")

with live_tab:  # the class's answers to one exercise as they come in; also on its own page, /live
    st.page_link("app/live.py", label="Open it on the projector, in presenter-size type", icon=":material/open_in_new:")
    if chosen_live := live_view.pick(found, "dash_live"):
        live_view.draw_live(gradebook, *chosen_live, key="dash_live", seconds=live_view.DEFAULT_EVERY)

with mistakes_tab:
    if found:
        chosen = st.selectbox("Assignment", ids, format_func=lambda a: next(x.title for x in found if x.id == a),
                              key="dash_mistakes_assignment")
        assignment = next(a for a in found if a.id == chosen)
        counts = gradebook.mistake_counts(chosen)
        table = []
        for (position, family_id), named in counts.items():
            family = BY_ID.get(family_id)
            explain = getattr(family, "EXPLAIN", {}) if family else {}
            for mistake, n in named.items():
                table.append({"exercise": position + 1, "family": family.TITLE if family else family_id,
                              "mistake": mistake, "students": n, "what it means": explain.get(mistake, "")})
        if table:
            st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
        else:
            st.info("No named mistake yet on this assignment.")

with export_tab:
    layout = st.segmented_control("Layout", ["Moodle", "Canvas"], required=True, default="Moodle", key="dash_csv_layout")
    if layout == "Canvas":
        st.markdown("Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID, Section, then one "
                    "column per assignment in points (one per exercise) under a *Points Possible* row. Canvas: "
                    "*Grades > Import*; it matches students on the SIS Login ID (the sign-in id here) and makes a "
                    "new assignment for a title it does not know.")
        columns = [Column(a.id, a.title, a.size) for a in found]
        csv_text, file_name = gradebook.canvas_export(columns, layouts=layouts), "grades-canvas.csv"
    else:
        st.markdown("One row per student, one column per assignment, scores as percentages (0-100). Moodle: "
                    "*Grades > Import > CSV file*, map student_id to the user's username and each column to a "
                    "grade item out of 100.")
        csv_text, file_name = gradebook.csv_export(ids, layouts=layouts), "grades.csv"
    st.download_button(f"Download {file_name}", csv_text, file_name=file_name, mime="text/csv", type="primary")
    st.code(csv_text[:2000] + ("…" if len(csv_text) > 2000 else ""), language=None)

with preview_tab:
    families = {m.ID: m for m in REGISTRY}
    by = st.segmented_control("Preview", ["Any family at any seed", "A student's exercise"], required=True,
                              default="Any family at any seed", key="dash_preview_by")
    if by == "A student's exercise" and found:
        c = st.columns([2, 2, 1])
        who = c[0].text_input("Student id", key="dash_student")
        chosen = c[1].selectbox("Assignment", ids, key="dash_preview_assignment")
        assignment = next(a for a in found if a.id == chosen)
        position = c[2].number_input("Exercise", min_value=1, max_value=assignment.size, value=1, key="dash_pos") - 1
        try:
            sid = identity.normalize_student_id(who)
        except identity.SignInError as err:
            st.info(plain(err))
            st.stop()
        ex = practice.exercise(sid, assignment, int(position))
        family_id = ex.family.ID
        st.caption(plain(f"{ex.title} · seed {ex.seed}" + (f" · variant {ex.item.variant}" if ex.item.variant else "")))
        for a in gradebook.attempts(sid, chosen, int(position)):
            st.caption(plain(f"{a.created_at:%Y-%m-%d %H:%M} · {a.answer!r} · "
                             + (f"score {a.score:.0%}" + (f" · {a.mistake}" if a.mistake else "") if a.valid
                                else "could not be read")))
    else:
        c = st.columns([2, 1, 1])
        family_id = c[0].selectbox("Family", list(families), format_func=lambda f: f"{families[f].TITLE} ({f})",
                                   key="dash_family")
        raw = c[1].text_input("Seed", value="0", key="dash_seed", help="Any whole number from 0 to 2^63 - 1.")
        try:
            seed = int(raw.strip())
            if not 0 <= seed < 2**63:
                raise ValueError
        except ValueError:
            st.error(plain(f"The seed {raw!r} is not a whole number from 0 to 2^63 - 1."))
            st.stop()
        variants = ["(drawn from the seed)", *getattr(families[family_id], "FIXED", {})]
        variant = c[2].selectbox("Variant", variants, key="dash_variant")
        ex = practice.preview(family_id, seed, None if variant == variants[0] else variant)
    with st.container(border=True):
        draw_prompt(ex)
    solution = practice.solution(ex, None)
    st.markdown("**Answer:** " + plain(solution.answer))
    if solution.worked:
        st.markdown(plain(solution.worked))
    if hint := ex.hint():
        st.markdown("**Hint** (after a wrong try): " + plain(hint))
    wrong = []
    for name, fn in families[family_id].MISTAKES.items():
        typed = fn(ex.params)
        if typed is not None:
            typed = typed if isinstance(typed, str) else format_answer(typed)
            wrong.append({"mistake": name, "the typical wrong answer": typed,
                          "what the student is told": submission.grade(ex, typed).message})
    if wrong:
        st.markdown("**The mistakes this variant recognizes**")
        st.dataframe(pd.DataFrame(wrong), hide_index=True, width="stretch")
    trial = st.text_input("Try an answer as a student would", key="dash_trial")
    if trial:
        draw_feedback(submission.grade(ex, trial))
