"""The heatmaps are built unvalidated for speed; here plotly validates every kind of spec they make."""

import numpy as np
import plotly.graph_objects as go
import pytest

from app.figures import heatmap


@pytest.mark.parametrize("matrix", [
    np.array([[0.2, 0.8], [1.0, 0.0]]),  # attention weights: 0..1 scale
    np.array([[1.0, -np.inf], [2.0, 3.0]]),  # masked scores
    np.arange(12.0).reshape(3, 4) - 5,  # anything else: centred at 0
    np.zeros((1, 1)),
    np.random.default_rng(0).normal(size=(16, 16)),  # too big to annotate
])
@pytest.mark.parametrize("large", [False, True])
def test_heatmap_spec_is_valid_plotly(matrix, large):
    labels_r = [f"r{i}" for i in range(matrix.shape[0])]
    labels_c = [f"c{j}" for j in range(matrix.shape[1])]
    fig = heatmap(matrix, labels_r, labels_c, "title", large=large)
    go.Figure(fig.to_dict())  # raises ValueError on any invalid property


def test_heatmap_probabilities_and_masks():
    fig = heatmap(np.array([[1.0, -np.inf], [0.5, 0.5]]), ["a", "b"], ["a", "b"]).to_dict()
    trace = fig["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)
    assert _lightness(trace["colorscale"][-1][1]) < _lightness(trace["colorscale"][0][1]), "weight 1 draws dark"
    assert trace["text"][0][1] == "−∞"
    assert np.isnan(trace["z"][0][1])  # blank cell: plotly cannot colour -inf


def _lightness(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_heatmap_colour_scales_are_explicit():
    """Colour-scale names are read by plotly.js in reverse of plotly.py, so only explicit scales are used:
    negative numbers blue, zero white, positive red."""
    trace = heatmap(np.array([[-2.0, 0.0, 3.0]]), ["a"], ["x", "y", "z"]).to_dict()["data"][0]
    scale = trace["colorscale"]
    assert not isinstance(scale, str)
    assert scale[0][1] == "#2166ac" and scale[-1][1] == "#b2182b" and trace["zmin"] == -trace["zmax"]


def test_heatmap_escapes_typed_labels():
    fig = heatmap(np.eye(2), ["<script>alert(1)</script>", "b"], ["<img src=x onerror=alert(1)>", "d"],
                  "<b>t</b>").to_dict()
    layout = fig["layout"]
    assert "<script>" not in str(layout) and "<img" not in str(layout)
    assert layout["yaxis"]["ticktext"][0] == "&lt;script&gt;alert(1)&lt;/script&gt;"
