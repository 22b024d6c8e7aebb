"""A heatmap or a bar chart as an SVG (text) and a PNG (bytes), drawn on the server with no internet.

One layout (cell sizes, margins, colours, the texts and where they go) is drawn twice: as SVG
elements, and with Pillow (which Streamlit already depends on) onto a PNG of the same pixel size. No
plotting library: matplotlib would add a dependency and half a second of import for a grid of
rectangles, and plotly's image export needs a browser (kaleido). The SVG keeps its texts as text,
so a slide can edit them. Colours are the pages' own: white to blue for attention weights (0..1),
blue-white-red centred at 0 for signed values; -inf (masked) cells are grey and marked −∞.
This module never imports streamlit or torch.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from core.matrix_text import format_number

BLUES = ((0.0, "#f7fbff"), (0.25, "#c6dbef"), (0.5, "#6baed6"), (0.75, "#2171b5"), (1.0, "#08306b"))
BLUE_WHITE_RED = ((0.0, "#2166ac"), (0.25, "#67a9cf"), (0.5, "#f7f7f7"), (0.75, "#ef8a62"), (1.0, "#b2182b"))
MASKED = "#e0e0e0"
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
         "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
         "/Library/Fonts/Arial Unicode.ttf", "C:/Windows/Fonts/arial.ttf")
MAX_LABEL = 24  # characters of a label drawn on an axis; the CSV and LaTeX keep it whole
MAX_SIDE = 1400  # pixels the matrix part may take: a 128 x 128 head gets 10-pixel cells


def _clean(text) -> str:
    """Without the code points XML may not hold or no font draws (control, format, surrogates)."""
    return "".join(ch for ch in str(text) if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})


def _label(text) -> str:
    t = _clean(text)
    return t if len(t) <= MAX_LABEL else t[:MAX_LABEL - 1] + "…"


def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def colour(t: float, scale) -> str:
    """The colour at t in 0..1 on a scale of (stop, '#rrggbb'), linearly between stops."""
    t = min(1.0, max(0.0, float(t)))
    for (t0, c0), (t1, c1) in zip(scale, scale[1:], strict=False):
        if t <= t1:
            f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            rgb = [round(a + (b - a) * f) for a, b in zip(_hex(c0), _hex(c1), strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return scale[-1][1]


def _dark(c: str) -> bool:
    r, g, b = _hex(c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 140


@dataclass
class Drawing:
    """What both renderers draw: filled rectangles and texts, on a white canvas of width x height."""

    width: int
    height: int
    title: str
    rects: list = field(default_factory=list)  # (x, y, w, h, fill)
    texts: list = field(default_factory=list)  # (x, y, text, size, fill, anchor 'start'|'middle'|'end', vertical)


def _text_width(text: str, size: int) -> int:
    return int(len(text) * size * 0.62) + 4


def heatmap_drawing(matrix, row_labels, col_labels, title: str = "") -> Drawing:
    """The layout of a heatmap: a cell per number (printed in it up to 12 x 12), labels left and on top."""
    m = np.atleast_2d(np.asarray(matrix, dtype=float))
    n_rows, n_cols = m.shape
    annotate = n_rows <= 12 and n_cols <= 12
    rows, cols = [_label(r) for r in row_labels], [_label(c) for c in col_labels]
    cw, ch = (70, 44) if annotate else (max(2, min(44, MAX_SIDE // n_cols)),) * 2
    if not annotate:
        ch = max(2, min(44, MAX_SIDE // n_rows))
    font = 12 if annotate else max(6, min(12, min(cw, ch) - 1))
    left = 8 + max((_text_width(r, font) for r in rows), default=0)
    vertical = any(_text_width(c, font) > cw - 4 for c in cols)
    top = 8 + (max((_text_width(c, font) for c in cols), default=0) if vertical else font + 8)
    width, height = max(200, left + cw * n_cols + 10), top + ch * n_rows + 34
    d = Drawing(width, height, _clean(title))
    finite = m[np.isfinite(m)]
    probs = n_rows == n_cols and finite.size > 0 and finite.min() >= 0 and finite.max() <= 1
    bound = float(np.abs(finite).max()) if finite.size else 1.0
    for i in range(n_rows):
        for j in range(n_cols):
            v = m[i, j]
            if not np.isfinite(v):
                fill = MASKED
            elif probs:
                fill = colour(v, BLUES)
            else:
                fill = colour(0.5 + 0.5 * v / (bound or 1.0), BLUE_WHITE_RED)
            x, y = left + j * cw, top + i * ch
            d.rects.append((x, y, cw - (1 if annotate else 0), ch - (1 if annotate else 0), fill))
            if annotate:
                text = "−∞" if v == -np.inf else format_number(v, 3)
                d.texts.append((x + cw / 2, y + ch / 2, text, font, "#ffffff" if _dark(fill) else "#000000",
                                "middle", False))
    for i, r in enumerate(rows):
        d.texts.append((left - 4, top + i * ch + ch / 2, r, font, "#000000", "end", False))
    for j, c in enumerate(cols):
        x = left + j * cw + cw / 2
        d.texts.append((x, top - 4, c, font, "#000000", "start" if vertical else "middle", vertical))
    d.texts.append((width / 2, height - 14, _label(d.title) if len(d.title) > 60 else d.title, 13, "#000000",
                    "middle", False))
    return d


def bar_drawing(labels, values, title: str = "", *, x_max: float | None = 1.0) -> Drawing:
    """The layout of horizontal bars, the first label on top, each value printed after its bar."""
    v = np.asarray(values, dtype=float)
    names = [_label(t) for t in labels]
    font, bar, plot = 12, 26, 360
    left = 8 + max((_text_width(t, font) for t in names), default=0)
    top = 30
    upper = x_max if x_max is not None else max(float(np.nanmax(v)) if v.size else 1.0, 1e-12) * 1.18
    width, height = left + plot + 70, top + bar * len(v) + 34
    d = Drawing(width, height, _clean(title))
    d.texts.append((8, 18, d.title, 13, "#000000", "start", False))
    d.rects.append((left, top, 1, bar * len(v), "#888888"))  # the axis at 0
    for i, (name, x) in enumerate(zip(names, v, strict=True)):
        y = top + i * bar
        length = 0 if not np.isfinite(x) else int(round(plot * max(0.0, min(1.0, x / upper))))
        d.rects.append((left, y + 4, max(length, 1), bar - 8, "#1f77b4"))
        d.texts.append((left - 6, y + bar / 2, name, font, "#000000", "end", False))
        d.texts.append((left + length + 4, y + bar / 2, format_number(x, 4), font, "#000000", "start", False))
    d.texts.append((left, height - 14, "0", 11, "#555555", "middle", False))
    d.texts.append((left + plot, height - 14, format_number(upper, 3), 11, "#555555", "middle", False))
    return d


# --- SVG ---------------------------------------------------------------------------------------------

def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def to_svg(d: Drawing) -> str:
    """The drawing as a standalone SVG document; every text XML-escaped."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{d.width}" height="{d.height}" '
           f'viewBox="0 0 {d.width} {d.height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">',
           f"<title>{escape(_label(d.title) if len(d.title) > 200 else d.title)}</title>",
           f'<rect width="{d.width}" height="{d.height}" fill="#ffffff"/>']
    out += [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>' for x, y, w, h, fill in d.rects]
    for x, y, text, size, fill, anchor, vertical in d.texts:
        turn = f' transform="rotate(-90 {x:g} {y:g})"' if vertical else ""
        out.append(f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" '
                   f'dominant-baseline="central"{turn}>{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --- PNG ---------------------------------------------------------------------------------------------

_DRAWING = threading.Lock()  # Streamlit runs each download's builder in a thread: one PNG is drawn at a time


@lru_cache(maxsize=16)
def _font(size: int):
    from PIL import ImageFont

    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def to_png(d: Drawing, scale: int = 2) -> bytes:
    """The drawing as a PNG of (scale x width) x (scale x height) pixels: twice the SVG's size by default,
    sharp on a projector. Pillow, with a DejaVu or Arial font where installed."""
    with _DRAWING:  # the cached FreeType fonts are shared: no two threads draw with them at once
        return _draw_png(d, int(scale))


def _draw_png(d: Drawing, k: int) -> bytes:
    from PIL import Image, ImageDraw  # imported on the first download, not with the page

    img = Image.new("RGB", (d.width * k, d.height * k), "#ffffff")
    draw = ImageDraw.Draw(img)
    for x, y, w, h, fill in d.rects:
        draw.rectangle([x * k, y * k, (x + w) * k - 1, (y + h) * k - 1], fill=fill)
    anchors = {"start": "lm", "middle": "mm", "end": "rm"}
    for x, y, text, size, fill, anchor, vertical in d.texts:
        font, x, y, size = _font(size * k), x * k, y * k, size * k
        if not vertical:
            draw.text((x, y), text, fill=fill, font=font, anchor=anchors[anchor])
            continue
        box = draw.textbbox((0, 0), text, font=font, anchor="lm")
        tile = Image.new("RGBA", (max(1, box[2] - box[0] + 2), size + 4), (255, 255, 255, 0))
        ImageDraw.Draw(tile).text((0, (size + 4) / 2), text, fill=fill, font=font, anchor="lm")
        tile = tile.rotate(90, expand=True)  # reads bottom to top, its start at (x, y)
        img.paste(tile, (int(x - tile.width / 2), int(y - tile.height)), tile)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def heatmap_svg(matrix, row_labels, col_labels, title: str = "") -> str:
    return to_svg(heatmap_drawing(matrix, row_labels, col_labels, title))


def heatmap_png(matrix, row_labels, col_labels, title: str = "") -> bytes:
    return to_png(heatmap_drawing(matrix, row_labels, col_labels, title))


def bar_svg(labels, values, title: str = "", *, x_max: float | None = 1.0) -> str:
    return to_svg(bar_drawing(labels, values, title, x_max=x_max))


def bar_png(labels, values, title: str = "", *, x_max: float | None = 1.0) -> bytes:
    return to_png(bar_drawing(labels, values, title, x_max=x_max))
