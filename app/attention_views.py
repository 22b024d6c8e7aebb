"""Views of a real model's attention: a grid of every head in a layer, and bertviz served offline.

The grid is one plotly figure whose cells carry each head's weights as 8-bit typed arrays: at 128
tokens a layer of 12 heads is ~260 kB instead of ~2 MB of JSON numbers, and the exact values are one
click away in the single-head heatmap."""

from __future__ import annotations

import base64
import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app.figures import BLUES


def _u8(m: np.ndarray) -> dict:
    """Weights in 0..1 as plotly's typed-array spec of unsigned bytes (0..255)."""
    q = np.clip(np.rint(np.asarray(m, dtype=float) * 255), 0, 255).astype(np.uint8)
    return {"dtype": "u1", "bdata": base64.b64encode(q.tobytes()).decode("ascii"), "shape": f"{q.shape[0]}, {q.shape[1]}"}


def heads_grid(layer_weights: np.ndarray, labels=None, *, per_row: int = 4, cell: int = 190,
               titles=None) -> go.Figure:
    # [h, n, n] -> a figure of h small heatmaps
    """Every head of one layer, side by side (row i: query token i; column j: key token j)."""
    h, n, _ = layer_weights.shape
    rows = -(-h // per_row)
    gap = 0.04
    w, ht = (1 - gap * (per_row - 1)) / per_row, (1 - gap * 1.6 * (rows - 1)) / rows
    titles = titles or [f"head {i + 1}" for i in range(h)]
    data, layout = [], {}
    show_ticks = labels is not None and n <= 24
    for i in range(h):
        r, c = divmod(i, per_row)
        ax = "" if i == 0 else str(i + 1)
        data.append(dict(type="heatmap", z=_u8(layer_weights[i]), xaxis=f"x{ax}", yaxis=f"y{ax}",
                         colorscale=BLUES, zmin=0, zmax=255, showscale=False, hoverinfo="skip"))
        x0, y1 = c * (w + gap), 1 - r * (ht + gap * 1.6)
        ytick = dict(tickmode="array", tickvals=list(range(n)), ticktext=[html.escape(str(t)) for t in labels],
                     tickfont=dict(size=9)) if show_ticks and c == 0 else dict(showticklabels=False)
        xd, yd = [max(0.0, round(x0, 6)), min(1.0, round(x0 + w, 6))], [max(0.0, round(y1 - ht, 6)), min(1.0, round(y1, 6))]
        layout[f"xaxis{ax}"] = dict(domain=xd, anchor=f"y{ax}", showgrid=False, zeroline=False,
                                    showticklabels=False)
        layout[f"yaxis{ax}"] = dict(domain=yd, anchor=f"x{ax}", autorange="reversed", showgrid=False,
                                    zeroline=False, **ytick)
        layout.setdefault("annotations", []).append(dict(
            text=html.escape(titles[i]), x=x0 + w / 2, y=y1, xref="paper", yref="paper", yanchor="bottom",
            showarrow=False, font=dict(size=12)))
    layout.update(height=int(rows * cell + 40), margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                  paper_bgcolor="white")
    return go.Figure(data=data, layout=layout, _validate=False)


def bertviz_frame(page_html: str, height: int) -> None:
    """Show one of core.bertviz_html's views in an iframe. The HTML is ours (bertviz's template with
    its data JSON escaped), never text a user typed."""
    st.iframe(page_html, height=height)
