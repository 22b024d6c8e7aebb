"""Page 3's two attention views with their text alternatives: one head (draw_head) and the heads of
one layer (draw_layer). Each says in one sentence what matters, names its colour scale, and shows
its numbers as a table on request (at 128 tokens a head is 16,384 numbers, so they are not sent
before someone asks)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.attention_views import heads_grid
from app.big_heatmap import SCALE_NAME, head_heatmap
from app.export import export_panel
from app.plain import plain
from core.export_steps import head_panel
from core.head_summary import head_sentence, layer_rows, layer_sentence


def draw_head(weights, tokens, layer: int, head: int, *, large: bool = False) -> None:
    """The selected head's matrix [n, n]: sentence, heatmap, scale, its exports (CSV, LaTeX, PNG, SVG),
    and the numbers on request."""
    n = len(tokens)
    st.markdown(f"Layer {layer}, head {head}. Row i: how much token i attends to each token (each row sums to 1).")
    st.markdown(plain(head_sentence(weights, tokens)))
    st.plotly_chart(head_heatmap(weights, tokens, f"layer {layer}, head {head}", large=large),
                    key="rm_one", width="content", config={"displayModeBar": False})
    export_panel(head_panel(weights, tokens, layer, head), key="rm_one")
    st.caption(f"Colours: a {SCALE_NAME}." + (" Hover a cell for its tokens and weight; drag a box to zoom in, "
                                              "double-click to zoom out." if n > 16 else ""))
    if st.toggle("Show this head's weights as a table", key="rm_one_table",
                 help=f"The {n}×{n} weights, 4 decimals: row i, the query token; column j, the key token."):
        labels = [f"{i}: {t}" for i, t in enumerate(tokens)]  # distinct names, as in the heatmap's hover
        st.dataframe(pd.DataFrame(weights, index=labels, columns=labels), height=min(420, 40 + 35 * n),
                     column_config={c: st.column_config.NumberColumn(format="%.4f") for c in labels})


def draw_layer(layer_weights, tokens, layer: int) -> None:
    """Every head of one layer [h, n, n]: which heads are focused, a grid of small heatmaps, and a
    table of the heads on request."""
    h = layer_weights.shape[0]
    st.markdown(f"The {h} heads of layer {layer}, each with its own pattern. Darker: more attention.")
    st.markdown(plain(layer_sentence(layer_weights, tokens, layer)))
    st.plotly_chart(heads_grid(layer_weights, tokens), key="rm_grid", width="stretch",
                    config={"displayModeBar": False, "staticPlot": True})
    st.caption(f"Colours: a {SCALE_NAME}.")
    if st.toggle("Show the heads of this layer as a table", key="rm_grid_table",
                 help="Each head's normalized entropy, its label (see Head statistics) and the token it attends to "
                      "most on average, most focused first."):
        st.dataframe(pd.DataFrame(layer_rows(layer_weights, tokens)), hide_index=True, width="stretch",
                     column_config={"entropy_norm": st.column_config.NumberColumn(format="%.3f"),
                                    "mean weight": st.column_config.NumberColumn(format="%.3f")})
