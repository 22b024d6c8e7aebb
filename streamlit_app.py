"""Attention Lab: page config and navigation. Pages live in app/; the math lives in core/."""

from pathlib import Path

import streamlit as st

from app import heap
from app.access import access_fixes
from app.navigation import navigation
from app.presenter import presenter_toggle

st.set_page_config(page_title="Attention Lab", page_icon=str(Path(__file__).parent / "app" / "icon.png"), layout="wide")

page = navigation()
access_fixes()
presenter_toggle()
try:
    page.run()
finally:  # after a page's first visit, its modules go to the collector's permanent generation (app/heap.py)
    heap.settle()
