"""Plotly figures, where a plotting library earns its cost: large matrices (hover and zoom on a 128 × 128
head) and bar charts; small matrices are HTML tables (core/heat_table.py). Labels may be typed by a user:
they are HTML-escaped before plotly sees them."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

# Explicit colour scales (ColorBrewer's Blues and RdBu, shared with the HTML heat tables of small matrices):
# a plotly colour-scale *name* given without plotly.py's validation is read by plotly.js, whose "Blues" and
# "RdBu" run the other way round from plotly.py's.
from core.heat_table import BLUE_WHITE_RED, BLUES, is_probabilities
from core.matrix_text import format_number


def heatmap(matrix: np.ndarray, row_labels, col_labels, title: str = "", *, annotate: bool | None = None,
            large: bool = False) -> go.Figure:
    """A matrix as a heatmap with token labels: attention weights on a white-to-blue 0..1 scale,
    anything else on a blue-white-red scale centred at 0 (negative blue, positive red). -inf (masked) cells are blank and marked −∞."""
    m = np.asarray(matrix, dtype=float)
    cell, font = (72, 22) if large else (44, 12)  # large: projector-size, for presenter mode
    n_rows, n_cols = m.shape
    annotate = (n_rows <= 12 and n_cols <= 12) if annotate is None else annotate
    z = np.where(np.isfinite(m), m, np.nan)  # plotly cannot colour -inf
    # cell texts only where they are drawn; large maps hover on z itself (half the bytes at 128 tokens)
    text = [["−∞" if v == -np.inf else format_number(v, 3) for v in row] for row in m] if annotate else None
    rows = [html.escape(str(r)) for r in row_labels]
    cols = [html.escape(str(c)) for c in col_labels]
    if is_probabilities(m):
        scale = dict(colorscale=BLUES, zmin=0.0, zmax=1.0)
    else:
        bound = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
        scale = dict(colorscale=BLUE_WHITE_RED, zmin=-(bound or 1.0), zmax=bound or 1.0)
    # Built as plain dicts and handed over unvalidated: plotly's property validation costs ~30 ms a
    # figure, which made a rerun of page 1 several times slower than the math it shows.
    trace = dict(type="heatmap", z=np.round(z, 4).tolist(), x=list(range(n_cols)), y=list(range(n_rows)),
                 hovertemplate="row %{y}, column %{x}: %{z:.4g}<extra></extra>", showscale=False,
                 xgap=1 if annotate else 0, ygap=1 if annotate else 0, **scale)
    if annotate:
        trace.update(text=text, texttemplate="%{text}", textfont=dict(size=font),
                     hovertemplate="row %{y}, column %{x}: %{text}<extra></extra>")
    axis = dict(tickmode="array", showgrid=False)
    layout = dict(
        xaxis=dict(axis, tickvals=list(range(n_cols)), ticktext=cols, side="top"),
        yaxis=dict(axis, tickvals=list(range(n_rows)), ticktext=rows, autorange="reversed"),
        font=dict(size=font + 2),
        title=dict(text=html.escape(title), font=dict(size=font + 2), y=0.02, yanchor="bottom", x=0.5,
                   xanchor="center"),
        height=max(170, 64 + cell * n_rows), width=max(260, 110 + int(cell * 1.6) * n_cols),
        margin=dict(l=8, r=8, t=40, b=36), plot_bgcolor="white", paper_bgcolor="white")
    return go.Figure(data=[trace], layout=layout, _validate=False)


def bar_chart(labels, values, title: str = "", *, x_max: float | None = 1.0, large: bool = False) -> go.Figure:
    """Horizontal bars, the first label on top: the top-k predictions of a [MASK] with their probabilities,
    or the heads that attend most to it. x_max=1.0 keeps a probability's axis at 0..1 (a small bar
    looks small); None fits the axis to the largest value. Labels are HTML-escaped like heatmap's."""
    v = np.asarray(values, dtype=float)
    bar, font = (44, 22) if large else (26, 12)
    n = len(v)
    ticks = [html.escape(str(t)) for t in labels]
    top = float(np.nanmax(v)) if n and np.isfinite(v).any() else 1.0
    upper = x_max if x_max is not None else max(top, 1e-12) * 1.18
    # Plain dicts, unvalidated, for the same reason as heatmap.
    trace = dict(type="bar", orientation="h", x=v.tolist(), y=list(range(n)), text=[format_number(x, 4) for x in v],
                 textposition="outside", cliponaxis=False, marker=dict(color="#1f77b4"),
                 hovertemplate="%{text}<extra></extra>", textfont=dict(size=font))
    layout = dict(
        xaxis=dict(range=[0, upper], showgrid=True, gridcolor="#e5e5e5", zeroline=False, tickfont=dict(size=font)),
        yaxis=dict(tickmode="array", tickvals=list(range(n)), ticktext=ticks, autorange="reversed", automargin=True,
                   showgrid=False, tickfont=dict(size=font + 2)),
        font=dict(size=font + 2),
        title=dict(text=html.escape(title), font=dict(size=font + 2), x=0.0, xanchor="left"),
        height=max(160, 70 + bar * n), width=560 if not large else 820,
        margin=dict(l=8, r=56, t=40, b=28), plot_bgcolor="white", paper_bgcolor="white", bargap=0.25)
    return go.Figure(data=[trace], layout=layout, _validate=False)
