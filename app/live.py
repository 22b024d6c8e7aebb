"""The class's answers live, for the projector: one exercise's submissions, solves, answers and named
mistakes, redrawn every few seconds (?every=N) while students work. Behind the dashboard's sign-in;
counts only, never a student's id. A stable link: /live?assignment=ID&exercise=N&every=3."""

import streamlit as st

from app import dashboard_signin
from app.gradebook import store_or_stop
from app.live_view import PROJECTOR_CSS, draw_live, every, pick
from app.plain import plain
from exercises import assignments as assignment_files

st.title("The class's answers, live", anchor=False)

if not dashboard_signin.dashboard_open():  # the dashboard's own way in: single sign-on or the password
    st.stop()

st.html(PROJECTOR_CSS)
found, problems = assignment_files.load()
for problem in problems:
    st.warning(plain(problem), icon=":material/warning:")
seconds = every()
chosen = pick(found, "live")
if chosen is not None:
    draw_live(store_or_stop(), *chosen, key="live", seconds=seconds, large=True)
