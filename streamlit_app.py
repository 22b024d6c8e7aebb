"""Attention Lab: page config and navigation. Pages live in app/; the math lives in core/."""

from pathlib import Path

import streamlit as st

from app.presenter import presenter_toggle

st.set_page_config(page_title="Attention Lab", page_icon=str(Path(__file__).parent / "app" / "icon.png"), layout="wide")

pages = {
    "": [st.Page("app/home.py", title="Home", icon=":material/home:", default=True)],
    "Learn": [
        st.Page("app/self_attention.py", title="1 · Self-attention, step by step", icon=":material/grid_on:",
                url_path="self-attention"),
        st.Page("app/multi_head.py", title="2 · Multi-head attention & the encoder block", icon=":material/view_column:",
                url_path="multi-head"),
        st.Page("app/real_model.py", title="3 · Attention in a real model", icon=":material/hub:",
                url_path="real-model"),
        st.Page("app/masked_lm.py", title="4 · Masked language model", icon=":material/text_select_start:",
                url_path="masked-lm"),
        st.Page("app/embeddings.py", title="5 · Sentence embeddings (sBERT)", icon=":material/scatter_plot:",
                url_path="embeddings"),
    ],
    "Practice": [
        st.Page("app/exercises_page.py", title="6 · Exercises", icon=":material/edit_note:", url_path="exercises"),
    ],
    "Teach": [
        st.Page("app/instructor.py", title="Instructor dashboard", icon=":material/school:", url_path="instructor"),
        st.Page("app/live.py", title="Live answers (projector)", icon=":material/monitoring:", url_path="live"),
    ],
}
page = st.navigation(pages)
presenter_toggle()
page.run()
