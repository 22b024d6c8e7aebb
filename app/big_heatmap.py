"""One head of a real model as a plotly heatmap that stays cheap at hundreds of tokens.

app.figures.heatmap sizes its cells for reading numbers (44 px), which at 128 tokens made a 9,000 ×
5,700 px figure: the browser spent ~2 s painting its image. Here, past SMALL tokens, the cells
shrink so the plot is PLOT_PX wide, the weights travel as one float32 typed array (no
per-cell text), and hover names both tokens and the exact weight; zoom (drag a box) spreads the
tick labels. Tokens may be typed by a user: every label is HTML-escaped before plotly sees it."""

from __future__ import annotations

import base64
import html

import numpy as np
import plotly.graph_objects as go

from app.figures import BLUES, heatmap

SMALL = 16          # up to this many tokens, app.figures.heatmap (numbers in the cells up to 12)
PLOT_PX = 680       # the plot's side past SMALL tokens (page 3's column is ~900 px wide at 1400 px)
LABEL_PX = 160      # room for tick labels at most; a longer token is cut at the figure's edge
SCALE_NAME = ("sequential white-to-dark-blue scale (ColorBrewer Blues, readable with every common colour "
              "blindness): 0 white, 1 dark blue")


def _f4(m: np.ndarray) -> dict:
    """A matrix as plotly's typed-array spec of little-endian float32 (the model's own precision)."""
    q = np.ascontiguousarray(m, dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(q.tobytes()).decode("ascii"), "shape": f"{q.shape[0]}, {q.shape[1]}"}


def head_heatmap(weights: np.ndarray, tokens, title: str = "", *, large: bool = False) -> go.Figure:
    # [n, n] weights, n tokens -> one heatmap trace
    """Attention weights of one head on the 0..1 scale BLUES (row i: query token i; column j: key j)."""
    m = np.asarray(weights, dtype=float)
    n = m.shape[0]
    if n <= SMALL:
        return heatmap(m, tokens, tokens, title, large=large)
    side = min(PLOT_PX * (1.3 if large else 1), 44 * n)
    font = int(np.clip(side / n + (3 if large else 1), 7, 14))
    # categories "i: token" are unique even where tokens repeat, and name the token in the hover
    cats = [html.escape(f"{i}: {t}") for i, t in enumerate(tokens)]
    ticks = [html.escape(str(t)) for t in tokens]
    trace = dict(type="heatmap", z=_f4(m), x=cats, y=cats, colorscale=BLUES, zmin=0.0, zmax=1.0,
                 colorbar=dict(title=dict(text="weight"), thickness=12, len=0.5, y=1, yanchor="top", x=1.01, xpad=6),
                 hovertemplate="query %{y}<br>key %{x}<br>weight %{z:.4f}<extra></extra>")
    # margins fixed from the longest label: plotly's automargin measures every label and draws twice
    label_px = min(LABEL_PX, 12 + int(0.62 * font * max((len(str(t)) for t in tokens), default=1)))
    axis = dict(type="category", tickmode="array", tickvals=cats, ticktext=ticks, showgrid=False,
                automargin=False, tickfont=dict(size=font))
    layout = dict(
        # scaleanchor keeps the cells square when Streamlit narrows the figure to its column
        xaxis=dict(axis, side="top", tickangle=-90, constrain="domain"),
        yaxis=dict(axis, autorange="reversed", scaleanchor="x", scaleratio=1, constrain="domain"),
        title=dict(text=html.escape(title), font=dict(size=14 + (8 if large else 0)), y=0.005, yanchor="bottom",
                   x=0.5, xanchor="center"),
        height=int(side) + label_px + 50, width=int(side) + label_px + 90,
        margin=dict(l=label_px, r=90, t=label_px, b=50), plot_bgcolor="white", paper_bgcolor="white")
    return go.Figure(data=[trace], layout=layout, _validate=False)
