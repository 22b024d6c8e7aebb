"""Drawing a walk-through (a list of core.steps.Step): step controls, formula, shapes, meaning, and each
matrix as a heatmap that shows its numbers. Shared by every Learn page and page 6's worked solutions."""

from __future__ import annotations

from contextlib import nullcontext

import pandas as pd
import streamlit as st

from app.export import export_panel
from app.figures import heatmap
from app.presenter import is_presenting
from core.heat_table import fits, heat_table
from core.matrix_text import format_number
from core.steps import Step


def step_controls(key: str, steps: list[Step]) -> int:
    """Prev / next / show all. Returns how many steps to show. A walk-through starts at step 1 and
    reveals one step per Next, as an instructor walks a class through it; "Show all steps" shows the
    whole chain (and stays on for the session)."""
    n = len(steps)
    pos_key, all_key = f"{key}_step", f"{key}_all"
    if pos_key not in st.session_state:
        st.session_state[pos_key] = 1
    if all_key not in st.session_state:
        st.session_state[all_key] = False
    st.session_state[pos_key] = min(max(1, st.session_state[pos_key]), n)

    def move(delta: int) -> None:
        st.session_state[all_key] = False
        st.session_state[pos_key] = min(max(1, st.session_state[pos_key] + delta), n)

    show_all = st.session_state[all_key]
    pos = n if show_all else st.session_state[pos_key]
    bar = st.container(horizontal=True, vertical_alignment="center", gap="small")  # one block, wraps on a phone
    bar.button("◀ Prev", key=f"{key}_prev", on_click=move, args=(-1,), disabled=not show_all and pos <= 1)
    bar.button("Next ▶", key=f"{key}_next", on_click=move, args=(1,), disabled=pos >= n)
    bar.toggle("Show all steps", key=all_key)
    bar.markdown(f"**Step {pos} of {n}:** {steps[pos - 1].title}" if not show_all else f"All {n} steps")
    return pos


def _numbers(panel) -> pd.DataFrame:
    return pd.DataFrame([[format_number(v, 4) for v in row] for row in panel.matrix],
                        index=list(panel.row_labels), columns=list(panel.col_labels))


def draw_panel(panel, key: str) -> None:
    """One matrix. Up to 16 rows of 64: an HTML table whose cells carry the number on its colour, a sentence
    of what matters and the colour scale (core/heat_table.py): no plotting library, read aloud, copied into
    a spreadsheet. Larger (a real model's 128 tokens): a plotly heatmap (hover, zoom), its numbers in a data
    grid that draws only the visible cells."""
    if fits(panel.matrix):
        st.html(heat_table(panel.matrix, panel.row_labels, panel.col_labels, panel.caption, large=is_presenting()),
                width="content")
        return
    st.plotly_chart(heatmap(panel.matrix, panel.row_labels, panel.col_labels, panel.caption, large=is_presenting()),
                    key=key, width="content", config={"displayModeBar": False})
    with st.expander(f"Numbers: {panel.caption}"):
        st.dataframe(_numbers(panel), width="stretch")


def draw_step(step: Step, number: int, key: str) -> None:
    """One step: title, formula, shapes, meaning, then its matrices side by side, wrapping onto new rows
    where they do not fit (hidden in presenter mode until revealed)."""
    with st.container(border=True):
        st.subheader(f"{number}. {step.title}", anchor=False)
        # the formula (KaTeX, as st.latex draws it), shapes and meaning: one element instead of two
        st.markdown(f"$$\n{step.latex}\n$$\n\n**Shapes:** {step.shapes}  \n{step.meaning}")
        reveal_key = f"{key}_reveal_{step.key}"
        if is_presenting() and not st.session_state.get(reveal_key, False):
            st.button("Reveal the numbers", key=f"{reveal_key}_btn",
                      on_click=lambda: st.session_state.update({reveal_key: True}))
            return
        row = st.container(horizontal=True, gap="medium") if len(step.panels) > 1 else None
        for panel in step.panels:
            with row.container(width="content") if row else nullcontext():
                draw_panel(panel, f"{key}_{step.key}_{panel.caption}")
                export_panel(panel, key=f"{key}_{step.key}_{panel.caption}")


def draw_steps(steps: list[Step], key: str) -> None:
    """The step controls and every step revealed so far."""
    shown = step_controls(key, steps)
    for i, step in enumerate(steps[:shown], start=1):
        draw_step(step, i, key)
