"""Attention, the encoder block and its parts, in plain numpy.

Pure functions in the spirit of picoGPT, returning every intermediate as a named field of a small
frozen dataclass (the Annotated Transformer's habit), so a page can show each step and a test can
hold each step against a reference. Rows are tokens: row i of X is token i, row i of the attention
weights is query token i, column j is key token j.

Shapes use n (tokens), d_model (numbers per token), d_k (query/key length), d_v (value length),
h (heads) and d_ff (FFN hidden width).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------------------------------
# building blocks


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax: subtracting the row maximum keeps exp() from overflowing
    (a score of 588 gives exp(0) instead of inf). Entries of -inf (masked) get weight 0."""
    x = np.asarray(x, dtype=float)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # a row that is all -inf stays all zeros, not NaN
    e = np.exp(x - m)
    s = np.sum(e, axis=axis, keepdims=True)
    return np.divide(e, s, out=np.zeros_like(e), where=s > 0)


def causal_mask(n: int) -> np.ndarray:
    """[n, n] booleans, True where query i may NOT look at key j (j > i, the future)."""
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def layer_norm(x: np.ndarray, gamma: np.ndarray | None = None, beta: np.ndarray | None = None,
               eps: float = 1e-5) -> np.ndarray:  # [n, d], [d], [d] -> [n, d]
    """Normalize each row to mean 0 and variance 1, then scale by gamma and shift by beta.
    Like torch.nn.LayerNorm: biased variance (divide by d), eps inside the square root."""
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)  # biased, ddof=0
    out = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return out


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(x, dtype=float), 0.0)


_erf = np.vectorize(math.erf, otypes=[float])


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x * Phi(x) with the Gaussian CDF (BERT's and torch's default)."""
    x = np.asarray(x, dtype=float)
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


ACTIVATIONS = {"relu": relu, "gelu": gelu}


def positional_encoding(n_positions: int, d_model: int) -> np.ndarray:  # -> [n_positions, d_model]
    """Sinusoidal positional encoding of "Attention Is All You Need":
    PE(pos, 2i) = sin(pos / 10000^(2i/d_model)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model))."""
    if n_positions < 0 or d_model < 1:
        raise ValueError("positional encoding needs n_positions >= 0 and d_model >= 1")
    pos = np.arange(n_positions, dtype=float)[:, None]  # [n, 1]
    two_i = np.arange(0, d_model, 2, dtype=float)[None, :]  # [1, ceil(d/2)]
    angle = pos / np.power(10000.0, two_i / d_model)  # [n, ceil(d/2)]
    pe = np.zeros((n_positions, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe


# ---------------------------------------------------------------------------------------------
# shape checks with messages a student can act on


def _as_matrix(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a matrix (rows and columns); it has {a.ndim} dimension(s).")
    if a.size == 0:
        raise ValueError(f"{name} is empty: it needs at least one row and one column.")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinity: only finite numbers are allowed.")
    return a


def check_projection(x: np.ndarray, w: np.ndarray, w_name: str, x_name: str = "X") -> None:
    """X @ W needs as many rows in W as each token of X has numbers."""
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"{w_name} has {w.shape[0]} row{'s' * (w.shape[0] != 1)} but each token of {x_name} has "
            f"{x.shape[1]} number{'s' * (x.shape[1] != 1)}: {x_name}·{w_name} needs {w_name} to have "
            f"{x.shape[1]} rows (one per number in a token)."
        )


def _check_qk(w_q: np.ndarray, w_k: np.ndarray) -> None:
    if w_k.shape[1] != w_q.shape[1]:
        raise ValueError(
            f"W_K has {w_k.shape[1]} columns but W_Q has {w_q.shape[1]}: queries and keys are compared "
            f"by a dot product, so they need the same length d_k. Give both the same number of columns."
        )


def shape(a: np.ndarray) -> str:
    """'(2×3)', the way the pages print shapes."""
    return "(" + "×".join(str(s) for s in np.shape(a)) + ")"


# ---------------------------------------------------------------------------------------------
# single-head self-attention


@dataclass(frozen=True)
class Attention:
    """Every step of one attention head. Row i: query token i; column j: key token j.

    q, k: [n, d_k]; v: [n, d_v]; scores = q kᵀ: [n, n]; scaled = scores / sqrt(d_k) (or scores when
    scale=False); masked = scaled with -inf where the causal mask hides the future (equals scaled when
    causal=False); weights = row softmax of masked (rows sum to 1); output = weights v: [n, d_v].
    """

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    scores: np.ndarray
    scaled: np.ndarray
    masked: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    d_k: int
    scale: bool
    causal: bool


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, *, scale: bool = True,
              causal: bool = False) -> Attention:  # [n, d_k], [n, d_k], [n, d_v] -> Attention
    """Scaled dot-product attention from already projected q, k, v."""
    n, d_k = q.shape
    scores = q @ k.T  # [n, d_k] x [d_k, n] -> [n, n]
    scaled = scores / math.sqrt(d_k) if scale else scores.copy()  # [n, n]
    masked = np.where(causal_mask(n), -np.inf, scaled) if causal else scaled.copy()  # [n, n]
    weights = softmax(masked, axis=-1)  # [n, n], each row sums to 1
    output = weights @ v  # [n, n] x [n, d_v] -> [n, d_v]
    return Attention(q, k, v, scores, scaled, masked, weights, output, d_k, scale, causal)


def self_attention(x, w_q, w_k, w_v, *, scale: bool = True, causal: bool = False) -> Attention:
    # [n, d_model], [d_model, d_k], [d_model, d_k], [d_model, d_v] -> Attention
    """Self-attention of the tokens X with the projection matrices W_Q, W_K, W_V.

    Raises ValueError with a message that says what to fix when the shapes do not fit."""
    x = _as_matrix(x, "X")
    w_q, w_k, w_v = (_as_matrix(w, n) for w, n in ((w_q, "W_Q"), (w_k, "W_K"), (w_v, "W_V")))
    for w, name in ((w_q, "W_Q"), (w_k, "W_K"), (w_v, "W_V")):
        check_projection(x, w, name)
    _check_qk(w_q, w_k)
    q = x @ w_q  # [n, d_model] x [d_model, d_k] -> [n, d_k]
    k = x @ w_k  # [n, d_model] x [d_model, d_k] -> [n, d_k]
    v = x @ w_v  # [n, d_model] x [d_model, d_v] -> [n, d_v]
    return attention(q, k, v, scale=scale, causal=causal)


def strongest_key(weights: np.ndarray, query: int) -> tuple[int, float]:
    """(j, p): the key token that query token `query` (0-based) attends to most, and its weight."""
    row = np.asarray(weights)[query]
    j = int(np.argmax(row))
    return j, float(row[j])


# ---------------------------------------------------------------------------------------------
# multi-head attention


def check_heads(d_model: int, n_heads: int) -> None:
    if n_heads < 1:
        raise ValueError("The number of heads must be at least 1.")
    if d_model % n_heads:
        divisors = [h for h in range(1, d_model + 1) if d_model % h == 0]
        raise ValueError(
            f"d_model = {d_model} is not divisible by {n_heads} heads: each head gets d_k = d_model / h "
            f"columns of Q, K and V, and {d_model} / {n_heads} is not a whole number. "
            f"Choose h from {', '.join(map(str, divisors))}, or change d_model."
        )


@dataclass(frozen=True)
class MultiHeadAttention:
    """q, k, v: the full projections [n, d_model] (bias included); heads: one Attention per head on
    columns h·d_k .. (h+1)·d_k; concat: the heads' outputs side by side [n, d_model];
    output = concat W_O + b_O: [n, d_model]."""

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    heads: tuple[Attention, ...]
    concat: np.ndarray
    output: np.ndarray
    n_heads: int
    d_k: int


def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads: int, *, b_q=None, b_k=None, b_v=None,
                         b_o=None, scale: bool = True, causal: bool = False) -> MultiHeadAttention:
    # [n, d_model], 4 x [d_model, d_model], optional biases [d_model] -> MultiHeadAttention
    """Multi-head self-attention as in torch.nn.MultiheadAttention (weights used as x @ W, i.e. the
    transpose of torch's in_proj_weight / out_proj.weight)."""
    x = _as_matrix(x, "X")
    ws = {n: _as_matrix(w, n) for n, w in (("W_Q", w_q), ("W_K", w_k), ("W_V", w_v), ("W_O", w_o))}
    n, d_model = x.shape
    for name, w in ws.items():
        if w.shape != (d_model, d_model):
            raise ValueError(
                f"{name} is {shape(w)} but multi-head attention on tokens of {d_model} numbers needs "
                f"{name} to be ({d_model}×{d_model})."
            )
    check_heads(d_model, n_heads)
    d_k = d_model // n_heads

    def bias(b):
        return 0.0 if b is None else np.asarray(b, dtype=float)

    # 1) project all tokens at once
    q = x @ ws["W_Q"] + bias(b_q)  # [n, d_model] x [d_model, d_model] -> [n, d_model]
    k = x @ ws["W_K"] + bias(b_k)
    v = x @ ws["W_V"] + bias(b_v)
    # 2) split into h heads of d_k columns and attend in each
    heads = tuple(
        attention(q[:, i * d_k:(i + 1) * d_k], k[:, i * d_k:(i + 1) * d_k], v[:, i * d_k:(i + 1) * d_k],
                  scale=scale, causal=causal)  # [n, d_k] each -> output [n, d_k]
        for i in range(n_heads)
    )
    # 3) concatenate the heads and mix them with W_O
    concat = np.concatenate([hd.output for hd in heads], axis=-1)  # h x [n, d_k] -> [n, d_model]
    output = concat @ ws["W_O"] + bias(b_o)  # [n, d_model] x [d_model, d_model] -> [n, d_model]
    return MultiHeadAttention(q, k, v, heads, concat, output, n_heads, d_k)


# ---------------------------------------------------------------------------------------------
# feed-forward network and the encoder block


@dataclass(frozen=True)
class FeedForward:
    """pre = x W_1 + b_1 [n, d_ff]; hidden = activation(pre); output = hidden W_2 + b_2 [n, d_model]."""

    pre: np.ndarray
    hidden: np.ndarray
    output: np.ndarray
    activation: str


def feed_forward(x, w_1, b_1, w_2, b_2, activation: str = "relu") -> FeedForward:
    # [n, d_model], [d_model, d_ff], [d_ff], [d_ff, d_model], [d_model] -> FeedForward
    """Position-wise FFN: the same two-layer network applied to every token on its own."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}.")
    x = _as_matrix(x, "X")
    w_1, w_2 = _as_matrix(w_1, "W_1"), _as_matrix(w_2, "W_2")
    check_projection(x, w_1, "W_1")
    pre = x @ w_1 + np.asarray(b_1, dtype=float)  # [n, d_model] x [d_model, d_ff] -> [n, d_ff]
    hidden = ACTIVATIONS[activation](pre)  # [n, d_ff]
    check_projection(hidden, w_2, "W_2", x_name="the hidden layer")
    output = hidden @ w_2 + np.asarray(b_2, dtype=float)  # [n, d_ff] x [d_ff, d_model] -> [n, d_model]
    return FeedForward(pre, hidden, output, activation)


@dataclass(frozen=True)
class EncoderParams:
    """The weights of one post-LN encoder block (BERT's layout). Matrices act as x @ W."""

    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    w_o: np.ndarray
    gamma_1: np.ndarray
    beta_1: np.ndarray
    w_1: np.ndarray
    b_1: np.ndarray
    w_2: np.ndarray
    b_2: np.ndarray
    gamma_2: np.ndarray
    beta_2: np.ndarray


@dataclass(frozen=True)
class EncoderBlock:
    """x -> attention -> residual_1 = x + attention.output -> norm_1 = LayerNorm(residual_1)
    -> ffn -> residual_2 = norm_1 + ffn.output -> output = LayerNorm(residual_2)."""

    x: np.ndarray
    attention: MultiHeadAttention
    residual_1: np.ndarray
    norm_1: np.ndarray
    ffn: FeedForward
    residual_2: np.ndarray
    output: np.ndarray


def encoder_block(x, p: EncoderParams, n_heads: int, *, activation: str = "gelu", scale: bool = True,
                  causal: bool = False, eps: float = 1e-5) -> EncoderBlock:  # [n, d_model] -> EncoderBlock
    """One post-LN Transformer encoder block, as in BERT: x + attention, norm, + FFN, norm."""
    x = _as_matrix(x, "X")
    mha = multi_head_attention(x, p.w_q, p.w_k, p.w_v, p.w_o, n_heads, scale=scale, causal=causal)
    residual_1 = x + mha.output  # [n, d_model]
    norm_1 = layer_norm(residual_1, p.gamma_1, p.beta_1, eps)  # [n, d_model]
    ffn = feed_forward(norm_1, p.w_1, p.b_1, p.w_2, p.b_2, activation)
    residual_2 = norm_1 + ffn.output  # [n, d_model]
    output = layer_norm(residual_2, p.gamma_2, p.beta_2, eps)  # [n, d_model]
    return EncoderBlock(x, mha, residual_1, norm_1, ffn, residual_2, output)


def encoder_input(embeddings, positional: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    # [n, d_model] -> X [n, d_model], PE [n, d_model] or None
    """The encoder's input X: token embeddings plus the sinusoidal positional encoding (or the
    embeddings alone when `positional` is False)."""
    embeddings = _as_matrix(embeddings, "the embeddings")
    if not positional:
        return embeddings, None
    pe = positional_encoding(*embeddings.shape)
    return embeddings + pe, pe
