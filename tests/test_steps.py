"""core.steps describes results of core.attention: the documented steps in order, the shapes at
every arrow, and panels that carry the very matrices of the result (not copies, not recomputations)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import examples
from core.attention import encoder_block, multi_head_attention, positional_encoding, self_attention
from core.steps import attention_steps, attention_summary, encoder_steps

LABELS = ("token 1", "token 2")


def ice1_attention(**kw):
    e = examples.ice1()
    return e["X"], self_attention(e["X"], e["W_Q"], e["W_K"], e["W_V"], **kw)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("with_x", [True, False])
def test_attention_steps_in_order(causal, with_x):
    x, att = ice1_attention(causal=causal)
    steps = attention_steps(att, LABELS, x=x if with_x else None)
    keys = ["q", "k", "v"] * with_x + ["scores", "scaled"] + ["masked"] * causal + ["weights", "output"]
    assert [s.key for s in steps] == keys
    for s in steps:
        assert s.title and s.latex and s.meaning and s.panels


def test_ice1_shapes():
    x, att = ice1_attention()
    shapes = {s.key: s.shapes for s in attention_steps(att, LABELS, x=x)}
    assert shapes["q"] == shapes["k"] == shapes["v"] == "(2×4)·(4×3) → (2×3)"
    assert shapes["scores"] == "(2×3)·(3×2) → (2×2)"
    assert shapes["scaled"] == "(2×2) → (2×2)"
    assert shapes["weights"].startswith("(2×2) → (2×2)") and "sums to 1" in shapes["weights"]
    assert shapes["output"] == "(2×2)·(2×3) → (2×3)"


def test_shapes_with_different_d_k_and_d_v():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    att = self_attention(x, rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 4)))
    shapes = {s.key: s.shapes for s in attention_steps(att, [f"t{i}" for i in range(5)], x=x)}
    assert shapes["q"] == "(5×3)·(3×2) → (5×2)"
    assert shapes["v"] == "(5×3)·(3×4) → (5×4)"
    assert shapes["scores"] == "(5×2)·(2×5) → (5×5)"
    assert shapes["output"] == "(5×5)·(5×4) → (5×4)"


@pytest.mark.parametrize("scale", [True, False])
def test_attention_panels_are_the_result_fields(scale):
    x, att = ice1_attention(scale=scale, causal=True)
    steps = {s.key: s for s in attention_steps(att, LABELS, x=x)}
    for key in ("q", "k", "v", "scores", "scaled", "masked", "weights", "output"):
        (panel,) = steps[key].panels
        assert panel.matrix is getattr(att, key), key
        assert panel.row_labels == LABELS
    for key in ("scores", "scaled", "masked", "weights"):
        assert steps[key].panels[0].col_labels == LABELS
    assert steps["q"].panels[0].col_labels == ("d1", "d2", "d3")
    assert steps["output"].panels[0].col_labels == ("d1", "d2", "d3")
    if scale:
        assert "√d_k" in steps["scaled"].title and r"\sqrt{3}" in steps["scaled"].latex
    else:
        assert steps["scaled"].title == "Not scaled"
        np.testing.assert_array_equal(steps["scaled"].panels[0].matrix, att.scores)


def test_weights_step_names_what_token_2_attends_to():
    x, att = ice1_attention()
    (weights,) = [s for s in attention_steps(att, ("I", "am"), x=x) if s.key == "weights"]
    assert "am attends most to am" in weights.meaning


def test_head_subscript():
    x, att = ice1_attention()
    steps = attention_steps(att, LABELS, x=x, head="2")
    assert all("_{2}" in s.latex for s in steps if s.key in ("q", "scores", "weights", "output"))


@pytest.mark.parametrize("p", [0.6, 0.75, 0.9994, 0.99951, 0.9999, 0.99999, 0.9999999, 1 - 1e-12, 1.0])
def test_attention_summary_probability_reads_as_a_number(p):
    text = attention_summary(np.array([[1 - p, p]]), ["a", "b"], 0)
    assert text.startswith("a attends most to b, with probability ")
    m = re.search(r"probability (?:≈ ?)?(\S+)", text)
    number = m.group(1)
    assert re.fullmatch(r"\d+(\.\d+)?", number), f"{number!r} in {text!r}"
    assert abs(float(number) - p) <= 5e-5


# ---------------------------------------------------------------------------------------------
# the encoder block


def block(n=4, d_model=6, n_heads=2, seed=5, activation="gelu"):
    emb = examples.random_tokens(seed, n, d_model)
    pe = positional_encoding(n, d_model)
    p = examples.random_encoder_params(seed, d_model, n_heads, d_ff=10)
    return emb, pe, encoder_block(emb + pe, p, n_heads, activation=activation)


@pytest.mark.parametrize("with_pe", [True, False])
def test_encoder_steps_in_order(with_pe):
    emb, pe, blk = block()
    labels = examples.token_labels("the cat sat down", 4)
    steps = encoder_steps(blk, labels, embeddings=emb if with_pe else None, pe=pe if with_pe else None)
    keys = ["pe"] * with_pe + ["qkv", "split", "heads", "concat", "wo", "norm1", "ffn", "norm2"]
    assert [s.key for s in steps] == keys
    for s in steps:
        assert s.title and s.latex and s.meaning and s.panels
        for panel in s.panels:
            assert panel.row_labels == tuple(labels)
            assert panel.matrix.shape[0] == 4 and panel.matrix.shape[1] == len(panel.col_labels)


def test_encoder_panels_are_the_result_fields():
    emb, pe, blk = block(n_heads=3)
    mha = blk.attention
    steps = {s.key: s for s in encoder_steps(blk, examples.token_labels(None, 4), embeddings=emb, pe=pe)}

    def mats(key):
        return [panel.matrix for panel in steps[key].panels]

    assert mats("pe")[0] is emb and mats("pe")[1] is pe and mats("pe")[2] is blk.x
    assert all(a is b for a, b in zip(mats("qkv"), (mha.q, mha.k, mha.v), strict=True))
    assert all(a is hd.q for a, hd in zip(mats("split"), mha.heads, strict=True))
    assert all(a is hd.weights for a, hd in zip(mats("heads"), mha.heads, strict=True))
    assert mats("concat")[0] is mha.concat
    assert mats("wo")[0] is mha.output
    assert mats("norm1")[0] is blk.residual_1 and mats("norm1")[1] is blk.norm_1
    assert mats("ffn")[0] is blk.ffn.hidden and mats("ffn")[1] is blk.ffn.output
    assert mats("norm2")[0] is blk.residual_2 and mats("norm2")[1] is blk.output


def test_encoder_shapes():
    _, _, blk = block(n=4, d_model=6, n_heads=2)
    shapes = {s.key: s.shapes for s in encoder_steps(blk, examples.token_labels(None, 4))}
    assert shapes["qkv"].startswith("(4×6)·(6×6) → (4×6)")
    assert shapes["split"] == "(4×6) → 2 × (4×3)"
    assert shapes["concat"] == "2 × (4×3) → (4×6)"
    assert shapes["wo"] == "(4×6)·(6×6) → (4×6)"
    assert shapes["ffn"] == "(4×6)·(6×10) → (4×10) → (4×10)·(10×6) → (4×6)"
    assert shapes["norm2"] == "(4×6) + (4×6) → (4×6)"


def test_encoder_steps_one_head_title():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4))
    assert multi_head_attention(x, *(rng.normal(size=(4, 4)) for _ in range(4)), 1).n_heads == 1
    p = examples.random_encoder_params(1, 4, 1)
    steps = {s.key: s for s in encoder_steps(encoder_block(x, p, 1), ["a", "b"])}
    assert steps["split"].title == "Split into 1 head"


# ---------------------------------------------------------------------------------------------
# token labels


def test_token_labels():
    assert examples.token_labels(None, 3) == ["token 1", "token 2", "token 3"]
    assert examples.token_labels("", 2) == ["token 1", "token 2"]
    assert examples.token_labels("I, am", 3) == ["I", "am", "token 3"]
    assert examples.token_labels("the cat the cat the", 5) == ["the", "cat", "the (2)", "cat (2)", "the (3)"]
    assert examples.token_labels("a b c d", 2) == ["a", "b"]
    assert examples.token_labels("internationalization", 1) == ["internationa"]


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.text(), st.text(alphabet="ab ,()12token", max_size=40)), st.integers(0, 20))
def test_token_labels_are_distinct(text, n):
    labels = examples.token_labels(text, n)
    assert len(labels) == n
    assert len(set(labels)) == n, labels
    assert all(isinstance(lab, str) and lab.strip() for lab in labels)


def test_token_labels_drop_what_markdown_html_or_latex_would_act_on():
    labels = examples.token_labels("<script>alert(1)</script> **b** [x](javascript:1) $x$ l'été", 6)
    for label in labels:
        assert not set(label) & set("<>*_[]()$`\\|#~&\""), label
    assert labels[4] == "l'été" and labels[5] == "token 6"
