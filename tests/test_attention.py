"""core.attention held against independent references: torch (float64) and slow loop specs.

Every formula is computed a second time by something that does not share code with core/: torch's
scaled_dot_product_attention, MultiheadAttention, LayerNorm, Linear, GELU and TransformerEncoderLayer,
or a pure-Python loop over i and j that is obviously the textbook formula (Tensor-Puzzles style).
Matrices in core/ act as x @ W; torch's Linear weights are the transpose.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import examples
from core.attention import (
    EncoderParams,
    causal_mask,
    encoder_block,
    encoder_input,
    feed_forward,
    gelu,
    layer_norm,
    multi_head_attention,
    positional_encoding,
    relu,
    self_attention,
    softmax,
    strongest_key,
)

SETTINGS = settings(max_examples=60, deadline=None)
EPS = np.finfo(float).eps


def t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=float), dtype=torch.float64)


def close(actual, expected, rtol=1e-10, atol=1e-10):
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=atol)


def matrices(rows, cols, lo=-10.0, hi=10.0):
    return arrays(np.float64, (rows, cols), elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def random_matrix(rng, rows, cols, scale=1.0):
    return rng.normal(0.0, scale, size=(rows, cols))


# ---------------------------------------------------------------------------------------------
# a slow, obviously-correct spec of self-attention: loops over i and j, math.exp, no numpy


def loop_self_attention(x, w_q, w_k, w_v, *, scale=True, causal=False):
    x, w_q, w_k, w_v = (np.asarray(a).tolist() for a in (x, w_q, w_k, w_v))
    n, d_model, d_k, d_v = len(x), len(x[0]), len(w_q[0]), len(w_v[0])

    def project(w, width):  # row i, column c: sum over the token's numbers m of x[i][m] * w[m][c]
        return [[math.fsum(x[i][m] * w[m][c] for m in range(d_model)) for c in range(width)] for i in range(n)]

    q, k, v = project(w_q, d_k), project(w_k, d_k), project(w_v, d_v)
    scores = [[math.fsum(q[i][c] * k[j][c] for c in range(d_k)) for j in range(n)] for i in range(n)]
    div = math.sqrt(d_k) if scale else 1.0
    scaled = [[scores[i][j] / div for j in range(n)] for i in range(n)]
    weights = []
    for i in range(n):
        visible = [j for j in range(n) if not (causal and j > i)]  # the causal mask hides j > i
        top = max(scaled[i][j] for j in visible)  # subtract the row maximum: exp never overflows
        e = [math.exp(scaled[i][j] - top) if j in visible else 0.0 for j in range(n)]
        total = math.fsum(e)
        weights.append([e[j] / total for j in range(n)])
    output = [[math.fsum(weights[i][j] * v[j][c] for j in range(n)) for c in range(d_v)] for i in range(n)]
    return {"q": q, "k": k, "v": v, "scores": scores, "scaled": scaled, "weights": weights, "output": output}


@st.composite
def attention_inputs(draw):
    n = draw(st.integers(1, 8))
    d_model = draw(st.integers(1, 8))
    d_k = draw(st.integers(1, 6))
    d_v = draw(st.integers(1, 6))
    return (draw(matrices(n, d_model)), draw(matrices(d_model, d_k)), draw(matrices(d_model, d_k)),
            draw(matrices(d_model, d_v)))


@SETTINGS
@given(attention_inputs(), st.booleans(), st.booleans())
def test_self_attention_matches_loop_spec(inputs, scale, causal):
    x, w_q, w_k, w_v = inputs
    got = self_attention(x, w_q, w_k, w_v, scale=scale, causal=causal)
    ref = loop_self_attention(x, w_q, w_k, w_v, scale=scale, causal=causal)
    # The loop sums exactly (fsum); numpy's BLAS sums in another order. Rounding errors scale with the
    # sizes of the terms summed, so the tolerances do too.
    n, d_model, d_k = len(x), w_q.shape[0], w_q.shape[1]
    big = d_model * float(np.abs(x).max()) * max(float(np.abs(w).max()) for w in (w_q, w_k, w_v))  # >= |q|, |k|, |v|
    err_proj = 4 * d_model * EPS * big
    err_scores = 4 * d_k * EPS * big * big + 2 * d_k * big * err_proj
    err_weights = 4 * err_scores + 1e-13  # a score off by e moves a weight by about e at most
    err_output = n * (err_weights + EPS) * big + err_proj + 1e-13
    for f, err in (("q", err_proj), ("k", err_proj), ("v", err_proj), ("scores", err_scores),
                   ("scaled", err_scores), ("weights", err_weights), ("output", err_output)):
        close(getattr(got, f), ref[f], rtol=1e-12, atol=err + 1e-300)
    np.testing.assert_array_equal(got.masked[np.triu(np.ones((n, n), bool), 1)] == -np.inf, causal)


# ---------------------------------------------------------------------------------------------
# self_attention against torch's scaled_dot_product_attention


def torch_attention(x, w_q, w_k, w_v, *, scale, causal):
    """q, k, v, scores, scaled, masked, weights and output computed in torch from the same inputs."""
    X, WQ, WK, WV = map(t, (x, w_q, w_k, w_v))
    q, k, v = X @ WQ, X @ WK, X @ WV
    d_k = q.shape[-1]
    factor = 1.0 / math.sqrt(d_k) if scale else 1.0
    out = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=causal, scale=factor)[0]
    scores = q @ k.T
    scaled = scores * factor
    n = X.shape[0]
    future = torch.ones(n, n, dtype=torch.bool).triu(1)
    masked = scaled.masked_fill(future, float("-inf")) if causal else scaled
    weights = torch.softmax(masked, dim=-1)
    return {"q": q, "k": k, "v": v, "scores": scores, "scaled": scaled, "masked": masked,
            "weights": weights, "output": out}


@SETTINGS
@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 5), st.integers(1, 5), st.booleans(),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_self_attention_matches_torch_sdpa(n, d_model, d_k, d_v, scale, causal, seed):
    rng = np.random.default_rng(seed)
    x, w_q, w_k, w_v = (random_matrix(rng, *s) for s in ((n, d_model), (d_model, d_k), (d_model, d_k),
                                                         (d_model, d_v)))
    got = self_attention(x, w_q, w_k, w_v, scale=scale, causal=causal)
    ref = torch_attention(x, w_q, w_k, w_v, scale=scale, causal=causal)
    for f in ("q", "k", "v", "scores", "scaled", "weights", "output"):
        close(getattr(got, f), ref[f])
    # masked: -inf exactly above the diagonal when causal, the scaled scores everywhere else
    future = np.triu(np.ones((n, n), dtype=bool), k=1)
    if causal:
        assert np.all(got.masked[future] == -np.inf)
        assert np.all(np.isfinite(got.masked[~future]))
        np.testing.assert_array_equal(got.masked[~future], got.scaled[~future])
        assert np.all(got.weights[future] == 0.0)
    else:
        np.testing.assert_array_equal(got.masked, got.scaled)
    close(got.masked, ref["masked"])
    if not scale:
        np.testing.assert_array_equal(got.scaled, got.scores)
    else:
        close(got.scaled, got.scores / math.sqrt(d_k), rtol=1e-15, atol=0)
    close(got.weights.sum(axis=1), np.ones(n), rtol=0, atol=1e-12)
    assert np.all(got.weights >= 0)
    assert (got.d_k, got.scale, got.causal) == (d_k, scale, causal)
    assert got.q.shape == (n, d_k) and got.v.shape == (n, d_v) and got.output.shape == (n, d_v)
    assert got.scores.shape == got.weights.shape == (n, n)


def test_first_causal_row_attends_only_to_itself():
    rng = np.random.default_rng(0)
    x, w = random_matrix(rng, 5, 4), random_matrix(rng, 4, 3)
    att = self_attention(x, w, w, w, causal=True)
    np.testing.assert_array_equal(att.weights[0], [1.0, 0, 0, 0, 0])
    close(att.output[0], att.v[0])
    np.testing.assert_array_equal(causal_mask(3), [[False, True, True], [False, False, True],
                                                   [False, False, False]])


# ---------------------------------------------------------------------------------------------
# multi-head attention against torch.nn.MultiheadAttention


def torch_mha(d_model, n_heads, w_q, w_k, w_v, w_o, biases):
    mha = torch.nn.MultiheadAttention(d_model, n_heads, bias=biases is not None, batch_first=True,
                                      dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([t(w_q).T, t(w_k).T, t(w_v).T]))  # x @ W == x @ (W.T).T
        mha.out_proj.weight.copy_(t(w_o).T)
        if biases is not None:
            mha.in_proj_bias.copy_(torch.cat([t(biases["b_q"]), t(biases["b_k"]), t(biases["b_v"])]))
            mha.out_proj.bias.copy_(t(biases["b_o"]))
    return mha.eval()


@st.composite
def heads_and_dims(draw):
    d_model = draw(st.integers(1, 12))
    n_heads = draw(st.sampled_from([h for h in range(1, d_model + 1) if d_model % h == 0]))
    return d_model, n_heads, draw(st.integers(1, 6))


@SETTINGS
@given(heads_and_dims(), st.booleans(), st.booleans(), st.integers(0, 2**32 - 1))
def test_multi_head_attention_matches_torch(dims, with_bias, causal, seed):
    d_model, n_heads, n = dims
    rng = np.random.default_rng(seed)
    x = random_matrix(rng, n, d_model)
    w_q, w_k, w_v, w_o = (random_matrix(rng, d_model, d_model, 1 / math.sqrt(d_model)) for _ in range(4))
    biases = ({b: rng.normal(size=d_model) for b in ("b_q", "b_k", "b_v", "b_o")} if with_bias else None)
    got = multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, causal=causal, **(biases or {}))

    mha = torch_mha(d_model, n_heads, w_q, w_k, w_v, w_o, biases)
    X = t(x)[None]  # (1, n, d_model)
    mask = torch.ones(n, n, dtype=torch.bool).triu(1) if causal else None  # True: may not attend
    with torch.no_grad():
        out, per_head = mha(X, X, X, attn_mask=mask, need_weights=True, average_attn_weights=False)
        _, averaged = mha(X, X, X, attn_mask=mask, need_weights=True, average_attn_weights=True)
    close(got.output, out[0])
    d_k = d_model // n_heads
    assert (got.n_heads, got.d_k, len(got.heads)) == (n_heads, d_k, n_heads)
    for i, head in enumerate(got.heads):
        close(head.weights, per_head[0, i])
        assert head.q.shape == head.k.shape == head.v.shape == (n, d_k)
    close(np.mean([hd.weights for hd in got.heads], axis=0), averaged[0])

    # the projections and the concatenation, recomputed with torch's own in-projection
    b = biases or {}
    for name, w, bn in (("q", w_q, "b_q"), ("k", w_k, "b_k"), ("v", w_v, "b_v")):
        proj = F.linear(t(x), t(w).T, t(b[bn]) if bn in b else None)
        close(getattr(got, name), proj)
        for i, head in enumerate(got.heads):
            close(getattr(head, name), proj[:, i * d_k:(i + 1) * d_k])
    close(got.concat, np.concatenate([hd.output for hd in got.heads], axis=1), rtol=0, atol=0)
    close(got.output, F.linear(t(got.concat), t(w_o).T, t(b["b_o"]) if "b_o" in b else None))


def test_one_head_equals_self_attention_then_w_o():
    rng = np.random.default_rng(1)
    x = random_matrix(rng, 3, 4)
    w_q, w_k, w_v, w_o = (random_matrix(rng, 4, 4) for _ in range(4))
    mha = multi_head_attention(x, w_q, w_k, w_v, w_o, 1)
    att = self_attention(x, w_q, w_k, w_v)
    close(mha.heads[0].weights, att.weights)
    close(mha.output, att.output @ w_o)


# ---------------------------------------------------------------------------------------------
# the building blocks against torch


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 10), st.sampled_from([1e-5, 1e-12, 1e-3, 0.5]),
       st.integers(0, 2**32 - 1))
def test_layer_norm_matches_torch(n, d, eps, seed):
    rng = np.random.default_rng(seed)
    x = random_matrix(rng, n, d, 3.0) + rng.normal(0, 5)
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    ln = torch.nn.LayerNorm(d, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(t(gamma))
        ln.bias.copy_(t(beta))
        close(layer_norm(x, gamma, beta, eps), ln(t(x)))
        plain = torch.nn.LayerNorm(d, eps=eps, elementwise_affine=False, dtype=torch.float64)
        close(layer_norm(x, eps=eps), plain(t(x)))
    # the default eps is torch's
    close(layer_norm(x, gamma, beta), F.layer_norm(t(x), (d,), t(gamma), t(beta), eps=1e-5))


def test_layer_norm_of_a_constant_row_is_beta():
    beta = np.array([0.5, -1.0, 2.0])
    np.testing.assert_array_equal(layer_norm(np.full((2, 3), 7.0), np.ones(3), beta), [beta, beta])


def test_layer_norm_uses_biased_variance_and_eps_inside_the_root():
    # the Annotated Transformer's slip: unbiased std with eps outside the root
    x = np.array([[1.0, 2.0, 4.0]])
    mean, var = x.mean(), ((x - x.mean()) ** 2).sum() / 3
    close(layer_norm(x, eps=0.1), (x - mean) / math.sqrt(var + 0.1), rtol=1e-14, atol=0)


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
              elements=st.floats(-50, 50, allow_nan=False)))
def test_gelu_and_relu_match_torch(x):
    close(gelu(x), F.gelu(t(x), approximate="none"), rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(relu(x), F.relu(t(x)).numpy())


def test_gelu_is_exact_not_the_tanh_approximation():
    x = np.array([1.0])
    assert gelu(x)[0] == pytest.approx(0.8413447460685429, abs=1e-15)  # 1 * Phi(1)
    assert abs(gelu(x)[0] - F.gelu(t(x), approximate="tanh").item()) > 1e-4


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 12), st.sampled_from(["relu", "gelu"]),
       st.integers(0, 2**32 - 1))
def test_feed_forward_matches_torch_linear(n, d_model, d_ff, activation, seed):
    rng = np.random.default_rng(seed)
    x = random_matrix(rng, n, d_model)
    w_1, b_1 = random_matrix(rng, d_model, d_ff), rng.normal(size=d_ff)
    w_2, b_2 = random_matrix(rng, d_ff, d_model), rng.normal(size=d_model)
    lin1 = torch.nn.Linear(d_model, d_ff, dtype=torch.float64)
    lin2 = torch.nn.Linear(d_ff, d_model, dtype=torch.float64)
    with torch.no_grad():
        lin1.weight.copy_(t(w_1).T)
        lin1.bias.copy_(t(b_1))
        lin2.weight.copy_(t(w_2).T)
        lin2.bias.copy_(t(b_2))
        pre = lin1(t(x))
        hidden = F.gelu(pre) if activation == "gelu" else F.relu(pre)
        out = lin2(hidden)
    got = feed_forward(x, w_1, b_1, w_2, b_2, activation)
    assert got.activation == activation
    close(got.pre, pre)
    close(got.hidden, hidden)
    close(got.output, out)


def loop_positional_encoding(n_positions, d_model):
    pe = [[0.0] * d_model for _ in range(n_positions)]
    for pos in range(n_positions):
        for c in range(d_model):
            two_i = c - c % 2  # columns 2i and 2i+1 share the frequency 1 / 10000^(2i/d_model)
            angle = pos / 10000 ** (two_i / d_model)
            pe[pos][c] = math.sin(angle) if c % 2 == 0 else math.cos(angle)
    return pe


@pytest.mark.parametrize("d_model", [1, 2, 3, 4, 5, 8, 9, 16, 33])
@pytest.mark.parametrize("n_positions", [0, 1, 7, 50])
def test_positional_encoding_matches_loop_spec(n_positions, d_model):
    pe = positional_encoding(n_positions, d_model)
    assert pe.shape == (n_positions, d_model)
    if n_positions:
        close(pe, loop_positional_encoding(n_positions, d_model), rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(pe[0], [0.0 if c % 2 == 0 else 1.0 for c in range(d_model)])


def test_positional_encoding_rejects_bad_sizes():
    with pytest.raises(ValueError, match="d_model >= 1"):
        positional_encoding(3, 0)
    with pytest.raises(ValueError, match="n_positions >= 0"):
        positional_encoding(-1, 4)


# ---------------------------------------------------------------------------------------------
# the encoder block against torch.nn.TransformerEncoderLayer (post-LN, as BERT)


def random_params(rng, d_model, d_ff):
    s = 1 / math.sqrt(d_model)
    return EncoderParams(
        w_q=random_matrix(rng, d_model, d_model, s), w_k=random_matrix(rng, d_model, d_model, s),
        w_v=random_matrix(rng, d_model, d_model, s), w_o=random_matrix(rng, d_model, d_model, s),
        gamma_1=rng.normal(1, 0.3, d_model), beta_1=rng.normal(0, 0.3, d_model),
        w_1=random_matrix(rng, d_model, d_ff, s), b_1=rng.normal(0, 0.3, d_ff),
        w_2=random_matrix(rng, d_ff, d_model, 1 / math.sqrt(d_ff)), b_2=rng.normal(0, 0.3, d_model),
        gamma_2=rng.normal(1, 0.3, d_model), beta_2=rng.normal(0, 0.3, d_model),
    )


def torch_encoder_layer(p: EncoderParams, n_heads, d_ff, activation, eps):
    d_model = p.w_q.shape[0]
    layer = torch.nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=d_ff, dropout=0.0,
                                             activation=activation, layer_norm_eps=eps, batch_first=True,
                                             norm_first=False, dtype=torch.float64)
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(torch.cat([t(p.w_q).T, t(p.w_k).T, t(p.w_v).T]))
        layer.self_attn.in_proj_bias.zero_()  # core's encoder block has no attention biases
        layer.self_attn.out_proj.weight.copy_(t(p.w_o).T)
        layer.self_attn.out_proj.bias.zero_()
        layer.linear1.weight.copy_(t(p.w_1).T)
        layer.linear1.bias.copy_(t(p.b_1))
        layer.linear2.weight.copy_(t(p.w_2).T)
        layer.linear2.bias.copy_(t(p.b_2))
        layer.norm1.weight.copy_(t(p.gamma_1))
        layer.norm1.bias.copy_(t(p.beta_1))
        layer.norm2.weight.copy_(t(p.gamma_2))
        layer.norm2.bias.copy_(t(p.beta_2))
    return layer.eval()


@settings(max_examples=40, deadline=None)
@given(heads_and_dims(), st.integers(1, 16), st.sampled_from(["gelu", "relu"]), st.booleans(),
       st.sampled_from([1e-5, 1e-12]), st.integers(0, 2**32 - 1))
def test_encoder_block_matches_torch_transformer_encoder_layer(dims, d_ff, activation, causal, eps, seed):
    d_model, n_heads, n = dims
    rng = np.random.default_rng(seed)
    x = random_matrix(rng, n, d_model)
    p = random_params(rng, d_model, d_ff)
    got = encoder_block(x, p, n_heads, activation=activation, causal=causal, eps=eps)

    layer = torch_encoder_layer(p, n_heads, d_ff, activation, eps)
    X = t(x)[None]
    mask = torch.nn.Transformer.generate_square_subsequent_mask(n, dtype=torch.float64) if causal else None
    with torch.no_grad():  # eval + no grad: torch may take its fused fast path
        fast = layer(X, src_mask=mask, is_causal=causal)[0]
    slow = layer(X, src_mask=mask, is_causal=causal)[0]  # grad enabled: the plain Python path
    close(got.output, fast, rtol=1e-9, atol=1e-9)
    close(got.output, slow.detach(), rtol=1e-9, atol=1e-9)

    # the intermediates, from the layer's own submodules
    with torch.no_grad():
        attn = layer.self_attn(X, X, X, attn_mask=mask, need_weights=False)[0]
        residual_1 = X + attn
        norm_1 = layer.norm1(residual_1)
        hidden = layer.activation(layer.linear1(norm_1))
        ffn = layer.linear2(hidden)
        residual_2 = norm_1 + ffn
    np.testing.assert_array_equal(got.x, x)
    close(got.attention.output, attn[0])
    close(got.residual_1, residual_1[0])
    close(got.norm_1, norm_1[0], rtol=1e-9, atol=1e-9)
    close(got.ffn.hidden, hidden[0], rtol=1e-9, atol=1e-9)
    close(got.ffn.output, ffn[0], rtol=1e-9, atol=1e-9)
    close(got.residual_2, residual_2[0], rtol=1e-9, atol=1e-9)


def test_encoder_block_with_seeded_example_params():
    p = examples.random_encoder_params(3, d_model=8, n_heads=2)
    x = examples.random_tokens(3, 5, 8) + positional_encoding(5, 8)
    got = encoder_block(x, p, 2)
    layer = torch_encoder_layer(p, 2, p.w_1.shape[1], "gelu", 1e-5)
    with torch.no_grad():
        close(got.output, layer(t(x)[None])[0], rtol=1e-9, atol=1e-9)
    # layer norm with gamma 1, beta 0: every token of the output has mean 0 and variance ~1
    close(got.output.mean(axis=1), np.zeros(5), rtol=0, atol=1e-12)
    close(got.output.var(axis=1), np.ones(5), rtol=1e-3, atol=0)


# ---------------------------------------------------------------------------------------------
# a numerically stable softmax


@pytest.mark.parametrize("big", [588.0, 1e4, 1e300])
def test_softmax_does_not_overflow(big):
    w = softmax(np.array([[-20.0, big], [big, big]]))
    assert np.all(np.isfinite(w))
    assert w[0, 1] == 1.0
    assert w[0, 0] == pytest.approx(math.exp(-20.0 - big), rel=1e-12, abs=0)  # 0.0 once exp underflows
    np.testing.assert_array_equal(w[1], [0.5, 0.5])
    w = softmax(np.array([[-big, -big - 1.0]]))  # large negative scores: no underflow to 0/0 either
    close(w, torch.softmax(t([[-big, -big - 1.0]]), -1), rtol=1e-14, atol=0)


def test_softmax_of_lecture_scores_588():
    w = softmax(np.array([[-22.0, -6.0], [-20.0, 588.0]]))
    assert np.all(np.isfinite(w))
    assert w[1, 1] == 1.0
    assert w[1, 0] == pytest.approx(math.exp(-608.0), rel=1e-12)  # exp(-608) ~ 8.9e-265, still a normal float
    close(w, torch.softmax(t([[-22.0, -6.0], [-20.0, 588.0]]), -1), rtol=1e-14, atol=0)


def test_softmax_masked_rows():
    inf = np.inf
    w = softmax(np.array([[-inf, -inf, -inf], [0.0, -inf, -inf], [1.0, 1.0, -inf]]))
    assert not np.any(np.isnan(w))
    np.testing.assert_array_equal(w, [[0, 0, 0], [1, 0, 0], [0.5, 0.5, 0]])


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)),
              elements=st.floats(-1e300, 1e300, allow_nan=False)))
def test_softmax_matches_torch_on_any_finite_scores(x):
    w = softmax(x)
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    close(w.sum(axis=-1), np.ones(x.shape[0]), rtol=0, atol=1e-12)
    close(w, torch.softmax(t(x), dim=-1), rtol=1e-12, atol=1e-300)
    close(softmax(x, axis=0), torch.softmax(t(x), dim=0), rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------------------------------------
# the lecture's ICE #1


def ice1_attention(**kw):
    e = examples.ice1()
    return self_attention(e["X"], e["W_Q"], e["W_K"], e["W_V"], **kw)


def test_ice1_projections_and_scores():
    att = ice1_attention()
    np.testing.assert_array_equal(att.q, [[9, 7, -12], [-33, -1, 30]])
    np.testing.assert_array_equal(att.k, [[15, 5, 16], [-31, 15, -14]])
    np.testing.assert_array_equal(att.v, [[2, -10, 13], [-6, 10, -33]])
    np.testing.assert_array_equal(att.scores, [[-22, -6], [-20, 588]])
    close(att.scaled, np.array([[-22, -6], [-20, 588]]) / math.sqrt(3), rtol=1e-15, atol=0)
    assert att.d_k == 3


def test_ice1_scaled_weights_and_output():
    att = ice1_attention()
    assert np.all(np.isfinite(att.weights))
    # token 2 attends to token 1 with exp((-20 - 588)/sqrt 3) = 3.5486e-153, to token 2 with 1 - that
    assert att.weights[1, 0] == pytest.approx(3.5486e-153, rel=1e-4)
    assert att.weights[1, 1] == pytest.approx(1 - 3.5486e-153, abs=1e-15)
    assert att.weights[0, 1] == pytest.approx(0.999902699, abs=1e-9)
    assert att.weights[0, 0] == pytest.approx(1 - 0.999902699, abs=1e-9)
    close(att.output, [[-5.99922159, 9.99805398, -32.99552416], [-6, 10, -33]], rtol=0, atol=5e-9)
    j, p = strongest_key(att.weights, 1)
    assert j == 1 and p == pytest.approx(1.0, abs=1e-12)
    assert strongest_key(att.weights, 0)[0] == 1


def test_ice1_unscaled():
    att = ice1_attention(scale=False)
    np.testing.assert_array_equal(att.scaled, att.scores)
    assert att.weights[0, 1] == pytest.approx(0.999999887, abs=1e-9)
    assert att.weights[1, 1] == pytest.approx(1.0, abs=1e-15)
    ref = torch_attention(*examples.ice1().values(), scale=False, causal=False)
    close(att.output, ref["output"])


def test_ice1_causal():
    att = ice1_attention(causal=True)
    assert att.masked[0, 1] == -np.inf
    np.testing.assert_array_equal(att.weights[0], [1.0, 0.0])  # token 1 can only see itself
    np.testing.assert_array_equal(att.output[0], att.v[0])


# ---------------------------------------------------------------------------------------------
# messages a student can act on


def ice1_inputs():
    e = examples.ice1()
    return e["X"], e["W_Q"], e["W_K"], e["W_V"]


def test_w_q_rows_must_match_token_length():
    x, w_q, w_k, w_v = ice1_inputs()
    with pytest.raises(ValueError, match="W_Q has 3 rows but each token of X has 4 numbers"):
        self_attention(x, w_q[:3], w_k, w_v)


@pytest.mark.parametrize("which", ["W_K", "W_V"])
def test_w_k_and_w_v_rows_must_match_token_length(which):
    x, w_q, w_k, w_v = ice1_inputs()
    mats = {"W_Q": w_q, "W_K": w_k, "W_V": w_v}
    mats[which] = np.vstack([mats[which], np.ones((1, 3))])
    with pytest.raises(ValueError, match=f"{which} has 5 rows but each token of X has 4 numbers"):
        self_attention(x, *mats.values())


def test_w_k_columns_must_match_w_q():
    x, w_q, w_k, w_v = ice1_inputs()
    with pytest.raises(ValueError, match="W_K has 2 columns but W_Q has 3") as info:
        self_attention(x, w_q, w_k[:, :2], w_v)
    assert "same number of columns" in str(info.value)
    # W_V may have any number of columns: d_v need not equal d_k
    assert self_attention(x, w_q, w_k, w_v[:, :2]).output.shape == (2, 2)


def test_one_row_message_is_singular():
    with pytest.raises(ValueError, match="W_Q has 1 row but each token of X has 2 numbers"):
        self_attention(np.ones((2, 2)), np.ones((1, 2)), np.ones((2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_are_named(bad):
    x, w_q, w_k, w_v = ice1_inputs()
    x[1, 2] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        self_attention(x, w_q, w_k, w_v)
    x, w_q, w_k, w_v = ice1_inputs()
    w_v[0, 0] = bad
    with pytest.raises(ValueError, match="W_V contains NaN or infinity"):
        self_attention(x, w_q, w_k, w_v)


def test_not_a_matrix_and_empty():
    _, w_q, w_k, w_v = ice1_inputs()
    with pytest.raises(ValueError, match="X must be a matrix"):
        self_attention(np.ones(4), w_q, w_k, w_v)
    with pytest.raises(ValueError, match="X is empty"):
        self_attention(np.ones((0, 4)), w_q, w_k, w_v)


def test_heads_must_divide_d_model():
    rng = np.random.default_rng(2)
    x = random_matrix(rng, 3, 6)
    ws = [random_matrix(rng, 6, 6) for _ in range(4)]
    with pytest.raises(ValueError, match="not divisible") as info:
        multi_head_attention(x, *ws, 4)
    assert "d_model = 6 is not divisible by 4 heads" in str(info.value)
    assert "Choose h from 1, 2, 3, 6" in str(info.value)
    with pytest.raises(ValueError, match="at least 1"):
        multi_head_attention(x, *ws, 0)


def test_multi_head_weights_must_be_square():
    rng = np.random.default_rng(3)
    x = random_matrix(rng, 3, 4)
    w = random_matrix(rng, 4, 4)
    with pytest.raises(ValueError, match=r"W_O is \(4×3\) but .* needs W_O to be \(4×4\)"):
        multi_head_attention(x, w, w, w, w[:, :3], 2)


def test_feed_forward_messages():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="Unknown activation 'tanh'"):
        feed_forward(x, np.ones((3, 4)), np.zeros(4), np.ones((4, 3)), np.zeros(3), "tanh")
    with pytest.raises(ValueError, match="W_1 has 2 rows but each token of X has 3 numbers"):
        feed_forward(x, np.ones((2, 4)), np.zeros(4), np.ones((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="W_2 has 3 rows but each token of the hidden layer has 4 numbers"):
        feed_forward(x, np.ones((3, 4)), np.zeros(4), np.ones((3, 3)), np.zeros(3))


def test_encoder_input_adds_positional_encoding():
    emb = np.arange(12.0).reshape(3, 4)
    x, pe = encoder_input(emb, positional=True)
    np.testing.assert_allclose(pe, positional_encoding(3, 4))
    np.testing.assert_allclose(x, emb + pe)
    x_plain, none = encoder_input(emb, positional=False)
    assert none is None and np.array_equal(x_plain, emb)
