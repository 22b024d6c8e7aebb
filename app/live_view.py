"""The class's answers to one exercise, redrawn every few seconds (exercises/live.py counts them): on
the dashboard's Live tab and on its own projector page (app/live.py). Only the fragment reruns; it shows
counts, options, numbers and mistake names, never a student's id or a typed text."""

from __future__ import annotations

import threading
import time

import streamlit as st

from app.plain import plain
from core.url_params import read_seed
from exercises import live, live_board, practice
from exercises.assignments import Assignment
from exercises.store import GradebookError, Store

DEFAULT_EVERY = 3  # seconds between refreshes; ?every=N in the URL (1 to MAX_EVERY)
MAX_EVERY = 60

PROJECTOR_CSS = """
<style>
  [data-testid="stMain"] [data-testid="stMarkdown"] p,
  [data-testid="stMain"] [data-testid="stMarkdown"] li { font-size: 1.7rem; line-height: 1.4; }
  [data-testid="stMain"] h1 { font-size: 3.2rem; }
</style>
"""


def every() -> int:
    """Seconds between refreshes: the URL's ?every=N, else DEFAULT_EVERY (with a message when N is wrong)."""
    value, message = read_seed(st.query_params.get_all("every"), hi=MAX_EVERY)
    if message or value == 0:
        st.warning(plain(f"The link's every={str(st.query_params.get('every'))[:20]!r} is not a whole number of seconds from 1 "
                         f"to {MAX_EVERY}, so the view refreshes every {DEFAULT_EVERY} s. Fix: write ?every=3."),
                   icon=":material/link_off:")
        return DEFAULT_EVERY
    return value or DEFAULT_EVERY


def pick(found: list[Assignment], key: str) -> tuple[Assignment, int] | None:
    """The assignment and exercise to follow (preset by ?assignment=ID&exercise=N on the projector page)."""
    if not found:
        st.info("There is no assignment yet: add a TOML file to the assignments folder.", icon=":material/info:")
        return None
    ids = [a.id for a in found]
    asked = st.query_params.get("assignment")
    c = st.columns([3, 3, 2], vertical_alignment="bottom")
    chosen = c[0].selectbox("Assignment", ids, index=ids.index(asked) if asked in ids else 0, key=f"{key}_assignment",
                            format_func=lambda a: next(x.title for x in found if x.id == a))
    assignment = found[ids.index(chosen)]
    pos_key = f"{key}_position_{chosen}"
    if st.session_state.get(pos_key, 0) not in range(assignment.size):  # the instructor shortened the assignment
        st.session_state.pop(pos_key, None)
    asked_pos, message = read_seed(st.query_params.get_all("exercise"), hi=assignment.size)
    if message or asked_pos == 0:
        st.warning(plain(f"The link's exercise={str(st.query_params.get('exercise'))[:20]!r} is not a number from 1 "
                         f"to {assignment.size}, so the view starts at exercise 1. Fix: write ?exercise=1."),
                   icon=":material/link_off:")
    start = asked_pos - 1 if asked_pos else 0
    position = c[1].selectbox("Exercise", range(assignment.size), index=start, key=pos_key,
                              format_func=lambda i: f"{i + 1}. {practice.exercise_title(assignment, i)}")
    c[2].toggle("Reveal the answer", value=False, key=f"{key}_reveal",
                help="Marks the right answer and names it. Off until you turn it on.")
    return assignment, position


SHARED_S = 1.0  # one snapshot serves every view of the same exercise opened within this long
_recent: dict[tuple, tuple[float, live.Live]] = {}  # (store, assignment, position) -> (when, snapshot)
_recent_lock = threading.Lock()
_clock = time.monotonic


def shared_snapshot(store: Store, assignment: Assignment, position: int) -> live.Live:
    """live.snapshot, shared by every open view (the dashboard's tab, projectors, other instructors) of
    the same exercise for SHARED_S: a room's views refreshing together query the gradebook once."""
    key = (store, assignment, position)  # the Store itself (by identity), so a new one never finds an old snapshot
    now = _clock()
    if (hit := _recent.get(key)) is not None and now - hit[0] < SHARED_S:
        return hit[1]
    fresh = live.snapshot(store, assignment, position)  # a GradebookError is not kept: the next refresh asks again
    with _recent_lock:  # sessions run on threads of their own
        for old in [k for k, (when, _) in _recent.items() if now - when >= SHARED_S]:
            del _recent[old]
        _recent[key] = (now, fresh)
    return fresh


def draw_live(store: Store, assignment: Assignment, position: int, key: str, seconds: int, large: bool = False) -> None:
    """The counts, the bars and the mistakes, redrawn every `seconds` (only this part of the page). `large`:
    presenter-size type (the projector page)."""

    @st.fragment(run_every=seconds)
    def board() -> None:
        try:
            now = shared_snapshot(store, assignment, position)
        except GradebookError as err:  # shown until the next refresh reaches the gradebook again
            st.error(plain(f"{err} The view tries again in {seconds} s; nothing saved is lost."),
                     icon=":material/cloud_off:")
            return
        draw(now, reveal=bool(st.session_state.get(f"{key}_reveal")), large=large)

    board()
    # below the fragment: drawn with the page, not again on every refresh
    st.caption(f"Updates every {seconds} s while students work · each student counts once, by their latest readable answer")


def draw(now: live.Live, reveal: bool, large: bool = False) -> None:
    """The board as one element (exercises/live_board.py): a refresh sends one message, not one per count,
    bar and list."""
    st.html(live_board.board_html(now, reveal=reveal, large=large))
