"""A small matrix (up to 16 rows of up to 64 numbers) as a heatmap made of an HTML table: each cell carries its number and a
background colour. It draws in milliseconds with no plotting library, a screen reader reads it as a
table (row and column headers, a caption), and it copies into a spreadsheet.

Colour scales are ColorBrewer's, safe for the common colour-vision deficiencies: a sequential one
(white to dark blue, Blues) for attention weights in 0..1, a diverging one (blue, white at 0, red, RdBu)
for signed values. Each scale is LEVELS colours; a cell's text is black or white, whichever contrasts more
with its background: at least 4.58:1 for any background (WCAG AA asks 4.5:1).

Labels and captions may be typed by a user: every one is html.escape'd here.
"""

from __future__ import annotations

import html

import numpy as np

from core.matrix_text import format_number

# up to 16 tokens of up to 64 numbers (page 2's FFN hidden layer at d_model 16 is 10 x 64); larger matrices,
# a real model's 128 tokens, are drawn by a plotting library (hover, zoom)
MAX_ROWS, MAX_COLS = 16, 64

# (position, colour) stops, also used by the plotly heatmaps (app/figures.py) so both read the same
BLUES = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]  # 0 white, 1 dark
BLUE_WHITE_RED = [[0.0, "#2166ac"], [0.25, "#67a9cf"], [0.5, "#f7f7f7"], [0.75, "#ef8a62"], [1.0, "#b2182b"]]  # - / 0 / +
LEVELS = 101  # colours per scale: a value's position on the scale is rounded to 1/100
MASKED = "#d9d9d9"  # -inf (masked) and other non-finite cells
BLACK, WHITE = "#000000", "#ffffff"


def fits(matrix) -> bool:
    """Whether a matrix is drawn as a table: at most MAX_ROWS rows of at most MAX_COLS numbers."""
    shape = np.shape(matrix)
    return len(shape) == 2 and shape[0] <= MAX_ROWS and shape[1] <= MAX_COLS


def is_probabilities(m: np.ndarray) -> bool:
    """Square, with every finite entry in 0..1: attention weights (or a similarity in 0..1), on the 0..1 scale."""
    finite = m[np.isfinite(m)]
    return m.ndim == 2 and m.shape[0] == m.shape[1] and finite.size > 0 and finite.min() >= 0 and finite.max() <= 1


def is_attention(m: np.ndarray) -> bool:
    """Probabilities whose rows each sum to 1: row i is where query i looks."""
    return is_probabilities(m) and bool(np.all(np.isfinite(m))) and np.allclose(m.sum(axis=1), 1.0, atol=1e-6)


def colour_at(scale, t: float) -> str:
    """The scale's colour at position t in 0..1 (linear between its stops, in sRGB), rounded to LEVELS."""
    t = round(min(max(float(t), 0.0), 1.0) * (LEVELS - 1)) / (LEVELS - 1)
    for (t0, c0), (t1, c1) in zip(scale, scale[1:], strict=False):
        if t <= t1:
            f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            a, b = _rgb(c0), _rgb(c1)
            return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))
    return scale[-1][1]


def palette(scale) -> list[str]:
    """Every colour the scale can give a cell."""
    return [colour_at(scale, i / (LEVELS - 1)) for i in range(LEVELS)]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in _rgb(hex_colour)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, 1..21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with the background."""
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE


def cell_text(v: float) -> str:
    """A cell's number as the page shows it (4 decimals, format_number); -inf (masked) is −∞."""
    if v == -np.inf:
        return "−∞"
    if v == np.inf:
        return "∞"
    return "NaN" if np.isnan(v) else format_number(v, 4)


def _where(labels_r, labels_c, i: int, j: int) -> str:
    return f"row {labels_r[i]}, column {labels_c[j]}"


def is_similarity(m: np.ndarray) -> bool:
    """Square, symmetric, 1 on the diagonal, at least two rows: a cosine-similarity matrix."""
    return (m.ndim == 2 and m.shape[0] == m.shape[1] > 1 and bool(np.all(np.isfinite(m)))
            and np.allclose(m, m.T, atol=1e-6) and np.allclose(np.diag(m), 1.0, atol=1e-4))


def summary(matrix, row_labels, col_labels) -> str:
    """One sentence that says what matters (plain text, not escaped). Attention weights: where each row
    attends most ('token 2 attends most to token 2, 1.0000'); a similarity matrix: its most and least similar
    pair; anything else: its largest and smallest entry."""
    m = np.asarray(matrix, dtype=float)
    rows, cols = [str(r) for r in row_labels], [str(c) for c in col_labels]
    if is_attention(m):
        best = m.argmax(axis=1)
        return "; ".join(f"{rows[i]} attends most to {cols[j]}, {m[i, j]:.4f}" for i, j in enumerate(best)) + "."
    if is_similarity(m):
        i, j = np.triu_indices(m.shape[0], k=1)
        hi, lo = np.argmax(m[i, j]), np.argmin(m[i, j])
        return (f"Most similar: {rows[i[hi]]} and {cols[j[hi]]}, {cell_text(m[i[hi], j[hi]])}; "
                f"least similar: {rows[i[lo]]} and {cols[j[lo]]}, {cell_text(m[i[lo], j[lo]])}.")
    finite = np.isfinite(m)
    masked = int(np.sum(m == -np.inf))
    tail = f" {masked} masked entr{'y is' if masked == 1 else 'ies are'} −∞." if masked else ""
    if not finite.any():
        return "No entry is a finite number." + tail
    if m.size == 1:
        return f"The only entry is {cell_text(m[0, 0])}."
    filled_hi, filled_lo = np.where(finite, m, -np.inf), np.where(finite, m, np.inf)
    hi = np.unravel_index(np.argmax(filled_hi), m.shape)
    lo = np.unravel_index(np.argmin(filled_lo), m.shape)
    return (f"Largest entry {cell_text(m[hi])} at {_where(rows, cols, *hi)}; "
            f"smallest {cell_text(m[lo])} at {_where(rows, cols, *lo)}." + tail)


def scale_for(m: np.ndarray) -> tuple[list, float, float, str]:
    """(scale, value at its start, value at its end, a sentence naming it) for a matrix."""
    if is_probabilities(m):
        return BLUES, 0.0, 1.0, "Colour: sequential scale from white (0) to dark blue (1)."
    finite = m[np.isfinite(m)]
    bound = float(np.max(np.abs(finite))) if finite.size else 0.0
    bound = bound or 1.0
    return (BLUE_WHITE_RED, -bound, bound,
            f"Colour: diverging scale, blue for negative, white for 0, red for positive (±{format_number(bound, 4)}).")


# What every heat table shares, once per table instead of once per cell (st.html keeps <style>): the cells'
# own style attributes carry only their two colours, which keeps a 7-step page 1 at half the bytes.
_STYLE = ("<style>table.heat{border-collapse:separate;border-spacing:1px;font-variant-numeric:tabular-nums;margin:0}"
          "table.heat caption{caption-side:top;text-align:left;font-weight:600;padding-bottom:0.2em}"
          "table.heat th,table.heat td{padding:0.2em 0.5em;white-space:nowrap}"
          "table.heat th{font-weight:600;text-align:center}table.heat td{text-align:right;min-width:2.5em}"
          # the sentence wraps at the table's width (at least 22em) instead of widening the figure to its length,
          # so that several small tables fit side by side
          "figure.heat>figcaption{margin-top:0.25em;width:0;min-width:max(100%,22em)}</style>")


def heat_table(matrix, row_labels, col_labels, caption: str, *, large: bool = False) -> str:
    """The matrix as an HTML <figure>: a <table> (caption, column and row headers, each cell its number on
    its colour), then one sentence of what matters and which colour scale it uses. `large`: projector-size
    type (presenter mode)."""
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"a heat table needs a 2-D matrix, not shape {m.shape}")
    esc = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    scale, lo, hi, legend = scale_for(m)
    font = "1.5rem" if large else "0.875rem"
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in col_labels)
    body = []
    for i, row in enumerate(m):
        cells = []
        for v in row:
            bg = colour_at(scale, (v - lo) / (hi - lo)) if np.isfinite(v) else MASKED
            cells.append(f'<td style="background:{bg};color:{text_colour(bg)}">{esc(cell_text(v))}</td>')
        body.append(f'<tr><th scope="row">{esc(row_labels[i])}</th>{"".join(cells)}</tr>')
    name = esc(caption)
    return (f'{_STYLE}<figure class="heat" style="margin:0 0 0.5rem 0;max-width:100%">'
            f'<div role="group" aria-label="{name}" tabindex="0" style="overflow-x:auto;max-width:100%">'
            f'<table class="heat" style="font-size:{font}"><caption>{name}</caption>'
            f'<thead><tr><td></td>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
            f'<figcaption style="font-size:{font}">{esc(summary(m, row_labels, col_labels))} '
            f'{esc(legend)}</figcaption></figure>')
