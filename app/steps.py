"""Drawing a walk-through (a list of core.steps.Step): step controls, formula, shapes, numbers,
heatmaps and meaning. Shared by every Learn page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.export import export_panel
from app.figures import heatmap
from app.presenter import is_presenting
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
    c1, c2, c3, c4 = st.columns([1, 1, 1.9, 4], vertical_alignment="center")
    c1.button("◀ Prev", key=f"{key}_prev", on_click=move, args=(-1,), disabled=not show_all and pos <= 1,
              width="stretch")
    c2.button("Next ▶", key=f"{key}_next", on_click=move, args=(1,), disabled=pos >= n, width="stretch")
    c3.toggle("Show all steps", key=all_key)
    c4.markdown(f"**Step {pos} of {n}:** {steps[pos - 1].title}" if not show_all else f"All {n} steps")
    return pos


SMALL = 144  # up to 12 x 12 numbers: shown as a plain table (and printed in the heatmap's cells)


def _numbers(panel) -> pd.DataFrame:
    return pd.DataFrame([[format_number(v, 4) for v in row] for row in panel.matrix],
                        index=list(panel.row_labels), columns=list(panel.col_labels))


def draw_step(step: Step, number: int, key: str) -> None:
    """One step: title, formula, shapes, meaning, then its numbers and heatmaps (hidden in presenter
    mode until revealed)."""
    with st.container(border=True):
        st.subheader(f"{number}. {step.title}", anchor=False)
        st.latex(step.latex)
        st.markdown(f"**Shapes:** {step.shapes}  \n{step.meaning}")
        reveal_key = f"{key}_reveal_{step.key}"
        if is_presenting() and not st.session_state.get(reveal_key, False):
            st.button("Reveal the numbers", key=f"{reveal_key}_btn",
                      on_click=lambda: st.session_state.update({reveal_key: True}))
            return
        per_row = 3 if len(step.panels) > 2 else len(step.panels)
        for start in range(0, len(step.panels), per_row):
            cols = st.columns(per_row)
            for col, panel in zip(cols, step.panels[start:start + per_row], strict=False):
                with col:
                    st.plotly_chart(heatmap(panel.matrix, panel.row_labels, panel.col_labels, panel.caption,
                                            large=is_presenting()),
                                    key=f"{key}_{step.key}_{panel.caption}", width="content",
                                    config={"displayModeBar": False})
                    with st.expander(f"Numbers: {panel.caption}"):
                        if panel.matrix.size <= SMALL:  # a plain HTML table: far lighter than a data grid
                            st.table(_numbers(panel))
                        else:  # the data grid draws only the visible cells: an HTML table of 128x128 would not
                            st.dataframe(_numbers(panel), width="stretch")
                    export_panel(panel, key=f"{key}_{step.key}_{panel.caption}")


def draw_steps(steps: list[Step], key: str) -> None:
    """The step controls and every step revealed so far."""
    shown = step_controls(key, steps)
    for i, step in enumerate(steps[:shown], start=1):
        draw_step(step, i, key)
