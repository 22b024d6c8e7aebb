"""Presenter mode: projector-size type, a fixed seed, and numbers hidden until revealed.

Turned on by the sidebar switch or the URL query `?present=1`; the switch keeps the URL in step so
an instructor can share the exact view (with its `seed`) with the class."""

import streamlit as st

from app.plain import plain
from core.url_params import read_flag

_CSS = """
<style>
  [data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
  [data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.6rem; line-height: 1.45; }
  [data-testid="stMain"] h1 { font-size: 3.4rem; }
  [data-testid="stMain"] h3 { font-size: 2.4rem; }
  [data-testid="stMain"] .katex { font-size: 2em; }
  [data-testid="stMain"] [data-testid="stBaseButton-secondary"] p { font-size: 1.4rem; }
</style>
"""


def presenter_toggle() -> bool:
    """The sidebar switch; returns whether presenter mode is on (also in st.session_state.present)."""
    if "present" not in st.session_state:
        on, message = read_flag(st.query_params.get_all("present"), "present")
        if message:
            st.warning(plain(message), icon=":material/link_off:")
        st.session_state.present = bool(on)
    on = st.sidebar.toggle(
        "Presenter mode", key="present",
        help="Projector-size type, a fixed seed the class shares, and each step's numbers hidden until you "
             "reveal them. Also on with ?present=1 in the URL.")
    if on:
        st.query_params["present"] = "1"
        st.html(_CSS)
    elif "present" in st.query_params:
        del st.query_params["present"]
    return on


def is_presenting() -> bool:
    return bool(st.session_state.get("present", False))
