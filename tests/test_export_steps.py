"""core/export_steps.py: pages 3, 4 and 5 as Steps whose panels carry the very matrices the pages show
(not copies, not recomputations), labels that tables can use (distinct), and formulas KaTeX compiles."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from core.attention import self_attention
from core.embeddings import cosine_matrix, pool
from core.export import lecture_pack
from core.export_steps import (
    cosine_step,
    head_panel,
    hidden_state_steps,
    mlm_steps,
    pooled_panel,
    real_model_steps,
)
from core.mlm import heads_on_mask
from tests.test_export import assert_katex_compiles

TOKENS = ["[CLS]", "the", "cat", "the", "[SEP]"]


def test_head_panel_is_the_head():
    w = np.random.default_rng(0).dirichlet(np.ones(5), size=5)
    p = head_panel(w, TOKENS, 3, 7)
    assert p.matrix is w and p.caption == "layer 3, head 7"
    assert p.row_labels == p.col_labels == ("[CLS]", "the", "cat", "the (2)", "[SEP]")


def test_real_model_steps_with_and_without_the_trace():
    rng = np.random.default_rng(1)
    w = rng.dirichlet(np.ones(5), size=5)
    assert [s.key for s in real_model_steps(w, TOKENS, 1, 2)] == ["head"]
    x = rng.normal(size=(5, 4))
    att = self_attention(x, rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))
    steps = real_model_steps(w, TOKENS, 1, 2, SimpleNamespace(attention=att, x=x))
    assert [s.key for s in steps] == ["head", "q", "k", "v", "scores", "scaled", "weights", "output"]
    assert steps[-2].panels[0].matrix is att.weights


def test_mlm_steps_carry_the_predictions_and_head_shares():
    masks = [SimpleNamespace(number=1, index=5, top_tokens=("bad", "good", "long"),
                             top_probs=np.array([0.5, 0.3, 0.1])),
             SimpleNamespace(number=2, index=8, top_tokens=("break", "rest", "break"),
                             top_probs=np.array([0.7, 0.1, 0.05]))]
    att = np.random.default_rng(2).dirichlet(np.ones(9), size=(2, 3, 9))  # [L, h, n, n]
    heads = heads_on_mask(att, 5, top=4)
    steps = mlm_steps(masks, heads, 1)
    assert [s.key for s in steps] == ["mask1", "mask2", "heads"]
    p = steps[0].panels[0]
    assert p.matrix.shape == (3, 1) and p.matrix[:, 0].tolist() == [0.5, 0.3, 0.1]
    assert p.row_labels == ("bad", "good", "long") and p.col_labels == ("probability",)
    assert steps[1].panels[0].row_labels == ("break", "rest", "break (2)")
    shares = steps[2].panels[0]
    assert shares.matrix[:, 0].tolist() == [h.share for h in heads]
    assert shares.row_labels[0] == f"layer {heads[0].layer + 1}, head {heads[0].head + 1}"
    assert [s.key for s in mlm_steps(masks)] == ["mask1", "mask2"]


def test_embedding_steps_are_the_pooled_vectors_and_cosines():
    rng = np.random.default_rng(3)
    h = rng.normal(size=(5, 16))
    pooled = pool(h)
    hidden, pooling = hidden_state_steps(h, TOKENS, pooled)
    assert hidden.panels[0].matrix is h and hidden.panels[0].col_labels[-1] == "d16"
    p = pooled_panel(pooled)
    assert p.row_labels == ("CLS", "mean", "max")
    assert np.array_equal(p.matrix, np.stack([h[0], h.mean(axis=0), h.max(axis=0)]))
    assert np.array_equal(pooling.panels[0].matrix, p.matrix)
    cos = cosine_matrix(rng.normal(size=(3, 16)))
    step = cosine_step(cos, "Mean", ["a", "b", "c"])
    assert step.panels[0].matrix is cos and step.panels[0].row_labels == ("1", "2", "3")
    assert "1: a; 2: b; 3: c" in step.meaning


def test_formulas_compile_and_the_pack_builds():
    rng = np.random.default_rng(4)
    h = rng.normal(size=(5, 12))
    masks = [SimpleNamespace(number=1, index=2, top_tokens=("a", "b"), top_probs=np.array([0.6, 0.4]))]
    steps = (real_model_steps(rng.dirichlet(np.ones(5), size=5), TOKENS, 1, 1) + mlm_steps(masks, [], 1)
             + hidden_state_steps(h, TOKENS, pool(h)) + [cosine_step(np.eye(2), "Mean", ["x", "y"])])
    assert_katex_compiles([s.latex for s in steps])
    assert lecture_pack("pages 3-5", steps, {"model": "m"})[:2] == b"PK"
