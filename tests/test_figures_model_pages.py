"""The figures of the model pages (4 and 5) are built unvalidated for speed; here plotly validates every
kind of spec they make, and typed labels stay escaped."""

import numpy as np
import plotly.graph_objects as go
import pytest

from app.figures import bar_chart, heatmap

PROBS = np.array([0.41, 0.2, 0.05, 3.5e-7])


@pytest.mark.parametrize("values, x_max", [
    (PROBS, 1.0),                                   # top-k probabilities on a 0..1 axis
    (np.array([0.12, 0.11, 0.09]), None),           # head shares: axis fitted to the largest
    (np.array([0.5]), 1.0),                         # top-1
    (np.zeros(3), None),                            # all zero: still a valid axis
    (np.array([]), 1.0),                            # nothing to draw
])
@pytest.mark.parametrize("large", [False, True])
def test_bar_chart_spec_is_valid_plotly(values, x_max, large):
    fig = bar_chart([f"t{i}" for i in range(len(values))], values, "title", x_max=x_max, large=large)
    go.Figure(fig.to_dict())  # raises ValueError on any invalid property


def test_bar_chart_order_values_and_axis():
    fig = bar_chart(["bad", "good", "long", "##s"], PROBS, "mask 1").to_dict()
    bar = fig["data"][0]
    assert bar["orientation"] == "h" and bar["x"] == PROBS.tolist()
    assert fig["layout"]["yaxis"]["ticktext"] == ["bad", "good", "long", "##s"]
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"  # the most probable on top
    assert fig["layout"]["xaxis"]["range"] == [0, 1.0]
    assert bar["text"] == ["0.41", "0.2", "0.05", "3.5e-07"]  # a tiny probability never reads as 0
    fitted = bar_chart(["a", "b"], [0.2, 0.1], x_max=None).to_dict()["layout"]["xaxis"]["range"]
    assert fitted[1] == pytest.approx(0.2 * 1.18)


def test_bar_chart_has_room_for_every_bar():
    small, large = bar_chart(list("abcdefghij"), np.linspace(0.5, 0.05, 10)), bar_chart(
        list("abcdefghij"), np.linspace(0.5, 0.05, 10), large=True)
    assert large.layout.height > small.layout.height >= 10 * 20


def test_bar_chart_escapes_typed_labels():
    fig = bar_chart(["<script>alert(1)</script>", "</script>", "<img src=x onerror=alert(1)>", "&"], PROBS,
                    "<b>mask</b>").to_dict()
    text = str(fig["layout"])
    assert "<script>" not in text and "</script>" not in text and "<img" not in text and "<b>" not in text
    assert fig["layout"]["yaxis"]["ticktext"][:2] == ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;/script&gt;"]
    assert fig["layout"]["yaxis"]["ticktext"][3] == "&amp;"


def test_duplicate_labels_keep_their_own_bars():
    """Two word pieces can print alike; bars sit at positions 0..k-1, so neither hides the other."""
    fig = bar_chart(["a", "a"], [0.3, 0.2]).to_dict()
    assert fig["data"][0]["y"] == [0, 1] and fig["layout"]["yaxis"]["tickvals"] == [0, 1]


def test_cosine_matrix_heatmap_with_negative_and_positive_values():
    """Page 5 reuses heatmap for the cosine matrix: 1 on the diagonal, possibly negative off it."""
    cos = np.array([[1.0, 0.675, -0.049], [0.675, 1.0, 0.1], [-0.049, 0.1, 1.0]])
    fig = heatmap(cos, ["1", "2", "3"], ["1", "2", "3"], "cosine similarity, Mean pooling")
    go.Figure(fig.to_dict())
    trace = fig.to_dict()["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (-1.0, 1.0)
    assert trace["text"][0][2] == "-0.049"
