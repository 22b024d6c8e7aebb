"""app.big_heatmap: a valid plotly spec (plotly validates it), one trace with no per-cell text, the
exact float32 weights, a size that no longer grows 44 px per token, and escaped token labels."""

from __future__ import annotations

import base64
import html

import numpy as np
import plotly.graph_objects as go
import pytest

from app.big_heatmap import PLOT_PX, SMALL, head_heatmap
from tests.hostile import CORPUS


def weights(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(n), size=n).astype(np.float32)  # [n, n], rows sum to 1


def decoded(z: dict) -> np.ndarray:
    rows, cols = (int(s) for s in z["shape"].split(","))
    return np.frombuffer(base64.b64decode(z["bdata"]), dtype="<f4").reshape(rows, cols)


@pytest.mark.parametrize("n", [17, 128, 512])
@pytest.mark.parametrize("large", [False, True])
def test_valid_one_trace_exact_weights(n, large):
    w = weights(n)
    fig = head_heatmap(w, [f"t{i}" for i in range(n)], "layer 1, head 1", large=large)
    go.Figure(fig.to_dict())  # raises ValueError on any invalid property
    (trace,) = fig.to_dict()["data"]
    assert trace["type"] == "heatmap" and "text" not in trace and "texttemplate" not in trace
    assert trace["z"]["dtype"] == "f4"
    np.testing.assert_array_equal(decoded(trace["z"]), w)  # exact: the model's own float32
    assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)
    assert "%{z:.4f}" in trace["hovertemplate"]


def test_size_is_bounded():
    """At 128 tokens the old figure was ~9,000 px wide; now about PLOT_PX plus the labels."""
    fig = head_heatmap(weights(128), ["w"] * 128)
    assert fig.layout.width < PLOT_PX + 300 and fig.layout.height < PLOT_PX + 300


def test_small_inputs_keep_the_numbered_heatmap():
    fig = head_heatmap(weights(SMALL), [f"t{i}" for i in range(SMALL)]).to_dict()
    assert isinstance(fig["data"][0]["z"], list)  # app.figures.heatmap


def test_repeated_tokens_keep_their_own_rows_and_the_tokens_as_ticks():
    tokens = ["[CLS]"] + ["the"] * 20 + ["[SEP]"]
    lay = head_heatmap(weights(22), tokens).to_dict()["layout"]
    assert len(set(lay["xaxis"]["tickvals"])) == 22  # "1: the", "2: the", ...
    assert lay["xaxis"]["ticktext"] == tokens and lay["yaxis"]["ticktext"] == tokens


def test_hostile_tokens_are_escaped():
    tokens = list(CORPUS[40:80])
    n = len(tokens)
    fig = head_heatmap(weights(n), tokens, "<b>title</b>").to_dict()
    text = str(fig["layout"]) + str(fig["data"][0]["x"]) + str(fig["data"][0]["y"])
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert fig["layout"]["xaxis"]["ticktext"] == [html.escape(t) for t in tokens]
