"""core/export_images.py: the PNG is a valid image of twice the layout's size (Pillow opens it, and a cell
has the colour of its value), the SVG parses as XML with the same width and height and one rectangle per
cell, and hostile labels and titles break neither."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image

from core.export_images import (
    BLUE_WHITE_RED,
    BLUES,
    MASKED,
    bar_drawing,
    bar_png,
    bar_svg,
    colour,
    heatmap_drawing,
    heatmap_png,
    heatmap_svg,
)
from tests.hostile import CORPUS, tally

SVG = "{http://www.w3.org/2000/svg}"


def png(data: bytes) -> Image.Image:
    Image.open(io.BytesIO(data)).verify()  # a whole, valid PNG
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG"
    return img.convert("RGB")


def svg(text: str) -> ElementTree.Element:
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == SVG + "svg"
    return root


def hex_rgb(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def test_colour_scale_ends_and_middle():
    assert colour(0, BLUES) == "#f7fbff" and colour(1, BLUES) == "#08306b" and colour(0.5, BLUES) == "#6baed6"
    assert colour(0.5, BLUE_WHITE_RED) == "#f7f7f7" and colour(-3, BLUE_WHITE_RED) == "#2166ac"


@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (12, 12), (13, 40), (128, 128), (3, 384)])
def test_heatmap_png_and_svg_have_the_layout_size(shape):
    m = np.random.default_rng(0).normal(size=shape)
    rows, cols = [f"r{i}" for i in range(shape[0])], [f"c{j}" for j in range(shape[1])]
    d = heatmap_drawing(m, rows, cols, "title")
    img = png(heatmap_png(m, rows, cols, "title"))
    assert img.size == (2 * d.width, 2 * d.height)
    root = svg(heatmap_svg(m, rows, cols, "title"))
    assert (int(root.get("width")), int(root.get("height"))) == (d.width, d.height)
    assert root.get("viewBox") == f"0 0 {d.width} {d.height}"
    assert len(root.findall(SVG + "rect")) == 1 + shape[0] * shape[1]  # the background, then a cell per number
    assert d.width <= 1400 + 400 and d.height <= 1400 + 400  # a 128 x 128 head fits a slide


def test_weights_are_blue_and_masked_cells_grey():
    """Attention weights with a masked score: the PNG's cells carry the colours of their values."""
    m = np.array([[1.0, -np.inf], [0.25, 0.75]])
    d = heatmap_drawing(m, ["a", "b"], ["a", "b"])
    img = png(heatmap_png(m, ["a", "b"], ["a", "b"]))
    (x, y, w, h, _), (x2, y2, *_), (x3, y3, *_), _ = d.rects
    near_corner = lambda x, y: img.getpixel((2 * x + 3, 2 * y + 3))  # noqa: E731 - off the number printed in the middle
    assert near_corner(x, y) == hex_rgb(colour(1.0, BLUES))
    assert near_corner(x2, y2) == hex_rgb(MASKED)
    assert near_corner(x3, y3) == hex_rgb(colour(0.25, BLUES))
    texts = [t.text for t in svg(heatmap_svg(m, ["a", "b"], ["a", "b"])).findall(SVG + "text")]
    assert {"1", "−∞", "0.25", "0.75"} <= set(texts)


def test_signed_values_are_centred_at_zero():
    m = np.array([[-22.0, -6.0], [-20.0, 588.0]])
    d = heatmap_drawing(m, ["t1", "t2"], ["t1", "t2"])
    fills = [r[4] for r in d.rects]
    assert fills[3] == colour(1.0, BLUE_WHITE_RED)  # 588, the largest |value|: full red
    assert fills[0] == colour(0.5 - 0.5 * 22 / 588, BLUE_WHITE_RED)  # a little blue


def test_bars_png_and_svg():
    labels, values = ["bad", "good", "great"], [0.6, 0.3, 0.05]
    d = bar_drawing(labels, values, "mask 1")
    assert png(bar_png(labels, values, "mask 1")).size == (2 * d.width, 2 * d.height)
    root = svg(bar_svg(labels, values, "mask 1"))
    assert (int(root.get("width")), int(root.get("height"))) == (d.width, d.height)
    texts = [t.text for t in root.findall(SVG + "text")]
    assert {"bad", "good", "great", "0.6", "0.3", "0.05", "mask 1"} <= set(texts)
    bars = [r for r in d.rects if r[4] == "#1f77b4"]
    assert bars[0][2] == 2 * bars[1][2]  # 0.6 is twice as long as 0.3
    assert bar_drawing(labels, values, x_max=None).rects  # fitted axis


def test_hostile_labels_and_titles_keep_both_images_valid():
    failures = 0
    for text in CORPUS:
        try:
            root = svg(heatmap_svg(np.eye(2), [text, "b"], ["c", text], text))
            svg(bar_svg([text, "b"], [0.5, 0.25], text))
            png(heatmap_png(np.eye(2), [text, "b"], ["c", text], text[:300]))
            ok = len(root.findall(SVG + "rect")) == 5
        except Exception:  # noqa: BLE001 - counted, then asserted
            ok = False
        failures += not ok
    tally("core.export_images", 3 * len(CORPUS), exceptions=failures)
    assert failures == 0


def test_markup_in_labels_stays_text():
    text = svg(heatmap_svg(np.eye(1), ["<script>x</script>"], ["]]></x>"], "&amp; <b>"))
    assert [t.text for t in text.findall(SVG + "text")][-3:] == ["<script>x</script>", "]]></x>", "&amp; <b>"]
    assert not text.findall(".//script") and not text.findall(SVG + "script")
