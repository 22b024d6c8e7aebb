"""The app's pages and the sidebar's links to them.

st.navigation routes (URLs, the default page, switch_page) but is told not to draw its own menu:
Streamlit 1.67's sidebar menu puts `div`s straight inside its `ul` and `li`s outside any list, which
axe-core reports as serious violations of WCAG 1.3.1 (rules `list` and `listitem`; reported upstream
in docs/upstream/streamlit-sidebar-nav-list.md). The menu is drawn here instead, with st.page_link:
one link per page under each group's label, the current page marked for screen readers by Streamlit
(aria-current="page")."""

from __future__ import annotations

import streamlit as st

NAV_KEY = "sidebar_nav"  # the container's class is st-key-sidebar_nav (the browser tests find it by it)


def pages() -> dict[str, list]:
    """The pages by group, in menu order ("" is the group with no label)."""
    return {
        "": [st.Page("app/home.py", title="Home", icon=":material/home:", default=True)],
        "Learn": [
            st.Page("app/self_attention.py", title="1 · Self-attention, step by step", icon=":material/grid_on:",
                    url_path="self-attention"),
            st.Page("app/multi_head.py", title="2 · Multi-head attention & the encoder block",
                    icon=":material/view_column:", url_path="multi-head"),
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


def navigation():
    """Route to the requested page and draw the sidebar's menu; returns the page to run."""
    groups = pages()
    page = st.navigation(groups, position="hidden")
    with st.sidebar.container(key=NAV_KEY):
        for label, group in groups.items():
            if label:
                st.caption(f"**{label}**")
            for p in group:
                st.page_link(p, label=p.title, icon=p.icon)
    return page
