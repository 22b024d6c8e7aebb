"""multi_head_shapes: d_k, one head's Q shape, the concatenation's shape and the layer's parameter count,
held against torch.nn.MultiheadAttention (its parameters and its own head split) and core's multi-head
attention; each mistake named with its explanation; the ways a person types numbers and shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.attention import multi_head_attention
from exercises.base import check_family
from exercises.families import multi_head_shapes as fam

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def variant(ask, d_model=768, h=12, n=10):
    return {"ask": ask, "d_model": d_model, "h": h, "n": n}


def test_passes_check_family():
    check_family(fam)


def test_generate_covers_every_ask_and_realistic_sizes():
    ps = [fam.generate(np.random.default_rng(s)) for s in range(300)]
    assert {p["ask"] for p in ps} == set(fam.ASKS)
    assert {p["d_model"] for p in ps} == set(fam.D_MODELS)
    assert all(p["d_model"] % p["h"] == 0 and p["h"] >= 2 and 4 <= p["n"] <= 32 for p in ps)


@pytest.mark.parametrize("d_model", fam.D_MODELS)
@pytest.mark.parametrize("bias", [True, False])
def test_param_count_matches_torch_multihead_attention(d_model, bias):
    for h in (h for h in fam.HEADS if d_model % h == 0):
        mha = torch.nn.MultiheadAttention(d_model, h, bias=bias)
        count = sum(t.numel() for t in mha.parameters())
        assert fam._param_count(d_model, bias) == count
        p = variant("params_bias" if bias else "params_no_bias", d_model, h)
        assert float(fam.solve(p)) == count
        assert fam.grade(p, f"{count:,}").correct


def test_bert_base_figures():
    # BERT-base: d_model = 768, 12 heads -> d_k = 64; one attention layer has 4·768² + 4·768 parameters
    assert fam.solve(variant("d_k")) == "64"
    assert fam.solve(variant("q_head_shape", n=20)) == "20 x 64"
    assert fam.solve(variant("concat_shape", n=20)) == "20 x 768"
    assert fam.solve(variant("params_bias")) == "2362368"
    assert fam.solve(variant("params_no_bias")) == "2359296"
    assert fam.grade(variant("params_bias"), "2,362,368").correct
    assert fam.grade(variant("params_no_bias"), "2,359,296").correct


def _torch_shapes(p):
    """One head's Q and the concatenation, as torch.nn.MultiheadAttention splits them."""
    d, h, n = p["d_model"], p["h"], p["n"]
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(d, h, bias=True)
    x = torch.randn(n, d)
    q = torch.nn.functional.linear(x, mha.in_proj_weight[:d], mha.in_proj_bias[:d])  # [n, d]
    q_head = q.view(n, h, d // h)[:, 0, :]  # torch's own split: head 0, [n, d_k]
    with torch.no_grad():  # with W_O = I and b_O = 0 the output is the concatenation of the heads
        mha.out_proj.weight.copy_(torch.eye(d))
        mha.out_proj.bias.zero_()
        concat, _ = mha(x, x, x, need_weights=False)
    return tuple(q_head.shape), tuple(concat.shape)


def test_shapes_and_d_k_against_torch_and_core_over_many_seeds():
    rng = np.random.default_rng(1)
    for seed in range(40):
        p = fam.generate(np.random.default_rng(seed))
        q_shape, concat_shape = _torch_shapes(p)
        d, h, n = p["d_model"], p["h"], p["n"]
        assert fam._d_k({**p, "ask": "d_k"}) == q_shape[1]
        assert fam.solve({**p, "ask": "d_k"}) == str(q_shape[1])
        assert fam.solve({**p, "ask": "q_head_shape"}) == f"{q_shape[0]} x {q_shape[1]}"
        assert fam.solve({**p, "ask": "concat_shape"}) == f"{concat_shape[0]} x {concat_shape[1]}"
        if d <= 256:  # core's multi-head attention agrees (small sizes keep the test fast)
            ws = [rng.normal(size=(d, d)) / np.sqrt(d) for _ in range(4)]
            out = multi_head_attention(rng.normal(size=(n, d)), *ws, h)
            assert out.heads[0].q.shape == q_shape and out.concat.shape == concat_shape


def test_every_mistake_is_named_with_its_explanation():
    cases = {
        "d_model_instead_of_d_k": [(variant("d_k"), "768"), (variant("q_head_shape"), "10 x 768")],
        "multiplied_by_h": [(variant("d_k"), "9216"), (variant("concat_shape"), "10 x 9216"),
                            (variant("params_bias"), str(12 * 2362368))],
        "transposed": [(variant("q_head_shape"), "64 x 10"), (variant("concat_shape"), "768 x 10")],
        "one_head_width": [(variant("concat_shape"), "10 x 64")],
        "all_heads_stacked": [(variant("q_head_shape"), "12 x 10 x 64"), (variant("concat_shape"), "(12, 10, 64)")],
        "stacked_rows": [(variant("concat_shape"), "120 x 64")],
        "forgot_w_o": [(variant("params_bias"), "1,771,776"), (variant("params_no_bias"), "1769472")],
        "biases_omitted": [(variant("params_bias"), "2,359,296")],
        "biases_counted": [(variant("params_no_bias"), "2,362,368")],
        "one_head_only": [(variant("params_no_bias"), "196,608"), (variant("params_bias"), "196864")],
    }
    assert set(cases) == set(fam.MISTAKES) == set(fam.EXPLAIN)
    for name, examples in cases.items():
        for p, typed in examples:
            assert fam.MISTAKES[name](p) is not None
            for answer in (typed, fam.MISTAKES[name](p)):
                fb = fam.grade(p, answer)
                assert fb.valid and fb.score == 0 and fb.mistake == name, (name, answer, fb)
                assert fb.message == fam.EXPLAIN[name] and fb.hint == fam.HINT


def test_mistakes_that_do_not_apply_or_coincide_are_none():
    p = variant("d_k")
    assert fam.MISTAKES["forgot_w_o"](p) is None and fam.MISTAKES["transposed"](p) is None
    assert fam.MISTAKES["biases_counted"](variant("params_bias")) is None
    assert fam.MISTAKES["biases_omitted"](variant("params_no_bias")) is None
    square = variant("q_head_shape", d_model=64, h=8, n=8)  # n = d_k: transposing changes nothing
    assert fam.MISTAKES["transposed"](square) is None
    assert fam.grade(square, "8 x 8").correct


def test_typed_forms_accepted():
    for typed in ("64", "64.0", " 64 ", "128/2"):
        assert fam.grade(variant("d_k"), typed).correct, typed
    for typed in ("10 x 64", "10×64", "10 X 64", "10 by 64", "(10, 64)", "[10, 64]", "10,64", "torch.Size([10, 64])"):
        assert fam.grade(variant("q_head_shape"), typed).correct, typed
    for typed in ("2362368", "2,362,368", "2362368.0", "2.362368e6", "≈ 2362368"):
        assert fam.grade(variant("params_bias"), typed).correct, typed


def test_counts_are_graded_exactly():
    p = variant("params_bias")
    for near in ("2,362,369", "2362000", "2.36e6"):
        fb = fam.grade(p, near)
        assert fb.valid and not fb.correct and fb.mistake is None
    assert not fam.grade(variant("d_k"), "64.5").correct


def test_unreadable_answers_cost_no_attempt():
    assert not fam.grade(variant("q_head_shape"), "10 x").valid
    assert not fam.grade(variant("q_head_shape"), "10 x 6.4").valid
    assert not fam.grade(variant("params_bias"), "2.362.368").valid
    assert not fam.grade(variant("d_k"), "sixty-four").valid


def test_prompt_form_and_worked_solution_use_the_variant_numbers():
    p = variant("params_bias")
    text = fam.prompt(p)
    assert "d_model = 768" in text and "h = 12" in text and "n = 10" in text and "bias=True" in text
    assert "bias=False" in fam.prompt(variant("params_no_bias"))
    assert fam.answer_form(p) == {"kind": "number"}
    assert fam.answer_form(variant("concat_shape")) == {"kind": "shape"}
    steps = fam.worked_solution(p)
    assert "768 / 12 = 64" in steps and "2,359,296 + 3,072 = 2,362,368" in steps
    assert "12 of them side by side give 10 × (12·64) = 10 × 768" in fam.worked_solution(variant("concat_shape"))
    for ask in fam.ASKS:
        assert "$" not in fam.prompt(variant(ask)) and "**" not in fam.prompt(variant(ask))
