"""Export widgets: one call per panel (`export_panel`) and one per page (`lecture_pack_button`).

Nothing is built on a plain rerun. `export_panel` draws one closed popover; opening it reruns the page,
which then fills it with CSV, PNG and SVG downloads and the LaTeX in a code block (whose copy button
copies it). Not a fragment: st.fragment costs ~3 ms a call on every rerun (it deep-copies the script's
container stack), 23 ms a rerun of page 1, for a rerun saved only when someone opens an export. The downloads hand core/export.py's builders to st.download_button as callables:
Streamlit runs them on click, in a thread of their own, so no file is made unless someone asks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from core.export import clean, csv_bytes, lecture_pack, panel_latex, slug
from core.export_images import bar_png, bar_svg, heatmap_png, heatmap_svg
from core.steps import Panel, Step


def _images(panel: Panel, bars: bool, x_max: float | None):
    """(PNG builder, SVG builder) for the panel's figure: a heatmap, or bars for a column of numbers."""
    caption = clean(panel.caption)
    if bars:
        values = panel.matrix[:, 0]
        return (lambda: bar_png(panel.row_labels, values, caption, x_max=x_max),
                lambda: bar_svg(panel.row_labels, values, caption, x_max=x_max).encode("utf-8"))
    return (lambda: heatmap_png(panel.matrix, panel.row_labels, panel.col_labels, caption),
            lambda: heatmap_svg(panel.matrix, panel.row_labels, panel.col_labels, caption).encode("utf-8"))


def export_panel(panel: Panel, key: str, *, bars: bool = False, x_max: float | None = 1.0) -> None:
    """An "Export" popover under a matrix: CSV, PNG and SVG downloads and "Copy as LaTeX". `bars`: the
    figure is a bar chart of the panel's one column (x_max as app.figures.bar_chart's)."""
    caption = clean(panel.caption)
    pop = st.popover(f"Export {caption[:40]}", icon=":material/download:", key=f"{key}_export", on_change="rerun",
                     help=f"Download {caption} as CSV, PNG or SVG, or copy it as LaTeX.")
    with pop:
        if not pop.open:
            return
        name = slug(panel.caption)
        png, svg = _images(panel, bars, x_max)
        c = st.columns(3)
        c[0].download_button("CSV", data=lambda: csv_bytes(panel), file_name=f"{name}.csv", mime="text/csv",
                             on_click="ignore", key=f"{key}_csv", icon=":material/table:")
        c[1].download_button("PNG", data=png, file_name=f"{name}.png", mime="image/png", on_click="ignore",
                             key=f"{key}_png", icon=":material/image:")
        c[2].download_button("SVG", data=svg, file_name=f"{name}.svg", mime="image/svg+xml", on_click="ignore",
                             key=f"{key}_svg", icon=":material/image:")
        st.caption("Copy as LaTeX (amsmath's bmatrix, the numbers as shown); the copy button is at the top right.")
        st.code(panel_latex(panel), language="latex")


def on_screen(steps: Sequence[Step], key: str) -> list[Step]:
    """The steps app/steps.py's step controls (same `key`) show now: all, or up to the current one."""
    if st.session_state.get(f"{key}_all"):
        return list(steps)
    return list(steps[:max(1, int(st.session_state.get(f"{key}_step", 1)))])


def lecture_pack_button(title: str, steps: Sequence[Step], key: str, *, inputs: Mapping[str, object] | None = None,
                        seed: int | str | None = None, walkthrough: bool = False) -> None:
    """One download of the page's steps as a ZIP (core.export.lecture_pack). `walkthrough`: the steps
    are a step-by-step walk-through drawn with `key`, and only those on screen go in the pack."""
    shown = on_screen(steps, key) if walkthrough else list(steps)
    if not shown:
        return
    seed_value = int(seed) if seed is not None and str(seed).isdigit() else None
    st.download_button(
        f"Lecture pack (ZIP): {len(shown)} step{'s' * (len(shown) != 1)}", icon=":material/folder_zip:",
        data=lambda: lecture_pack(title, shown, inputs or {}, seed_value), file_name=f"{slug(title, 'page')}-lecture-pack.zip",
        mime="application/zip", on_click="ignore", key=f"{key}_pack",
        help="Every step on screen: each matrix as CSV and LaTeX, its heatmap as PNG and SVG, each step's formula, "
             "a Beamer deck, and a README with the inputs and seed, to rebuild the walk-through in slides.")
