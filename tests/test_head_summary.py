"""core.head_summary against slow loop specs (hypothesis draws the maps), and its sentences with
hostile tokens: the sentence quotes them as given; escaping is the page's job (app.plain)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.head_summary import focus, head_sentence, layer_rows, layer_sentence, summarize
from tests.hostile import CORPUS

SETTINGS = settings(max_examples=60, deadline=None)


def spec_strongest(p):
    best = (-1.0, 0, 0)
    for i, row in enumerate(p):
        for j, x in enumerate(row):
            if x > best[0]:  # strictly greater: the first maximum in reading order wins
                best = (x, i, j)
    return best


def spec_attended(p):
    n = len(p)
    means = [sum(p[i][j] for i in range(n)) / n for j in range(len(p[0]))]
    k = max(range(len(means)), key=lambda j: (means[j], -j))
    return k, means[k]


def spec_entropy_norm(p):
    n = len(p)
    if n == 1:
        return 0.0
    return sum(-sum(x * math.log(x) for x in row if x > 0) for row in p) / n / math.log(n)


@st.composite
def layers(draw):
    """[h, n, n] row-softmaxed random scores, some heads sharply peaked, some with ties."""
    h, n = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = rng.normal(0, draw(st.sampled_from([0.0, 0.1, 1.0, 30.0])), size=(h, n, n))
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@SETTINGS
@given(layers())
def test_summary_equals_the_loop_spec(a):
    for p in a:
        s = summarize(p)
        w, i, j = spec_strongest(p.tolist())
        assert (s.row, s.col) == (i, j) and s.weight == w
        k, mean = spec_attended(p.tolist())
        assert s.attended == k and s.attended_mean == pytest.approx(mean, abs=1e-12)


@SETTINGS
@given(layers())
def test_focus_orders_heads_by_the_entropy_spec(a):
    n = a.shape[-1]
    f = focus(a, ["w"] * n)
    ent = [spec_entropy_norm(p.tolist()) for p in a]
    np.testing.assert_allclose(f.entropy_norm, ent, atol=1e-6)
    assert sorted(f.order) == list(range(1, len(a) + 1))
    got = [ent[h - 1] for h in f.order]
    assert all(x <= y + 1e-6 for x, y in zip(got, got[1:], strict=False))
    rows = layer_rows(a, [f"t{i}" for i in range(n)])
    assert [r["head"] for r in rows] == list(f.order)


def test_sentences_on_a_hand_built_head():
    tokens = ["[CLS]", "the", "cat", "[SEP]"]
    p = np.array([[0.1, 0.2, 0.3, 0.4],
                  [0.0, 0.1, 0.1, 0.8],
                  [0.05, 0.62, 0.03, 0.3],
                  [0.25, 0.25, 0.25, 0.25]])
    assert head_sentence(p, tokens) == (
        "Token 'the' (1) attends most to '[SEP]' (3), 0.800, the strongest weight of this head; on average the "
        "tokens attend most to '[SEP]' (3), 0.438 of each row.")
    uniform, onehot = np.full((4, 4), 0.25), np.eye(4)
    s = layer_sentence(np.stack([uniform, onehot, p]), tokens, 2, k=2)
    assert s.startswith("Most focused heads of layer 2") and "head 2 (0.00), head 3" in s
    assert s.endswith("Most spread out: head 1 (1.00).")


def test_one_token_and_bad_shapes():
    assert summarize(np.ones((1, 1))) == summarize([[1.0]])
    assert "'[CLS]' (0)" in head_sentence([[1.0]], ["[CLS]"])
    for bad in (np.ones(3), np.ones((0, 0)), np.ones((2, 2, 2))):
        with pytest.raises(ValueError, match="non-empty"):
            summarize(bad)


@pytest.mark.parametrize("token", CORPUS[:60])
def test_hostile_tokens_are_quoted_as_given(token):
    p = np.array([[0.2, 0.8], [0.9, 0.1]])
    s = head_sentence(p, ["ok", token])
    assert f"'{token}' (1)" in s
    assert layer_rows(p[None], ["ok", token])[0]["most attended token"] in ("0: ok", f"1: {token}")
