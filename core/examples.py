"""Example inputs: the lecture's ICE #1 and seeded random examples a class can reproduce."""

from __future__ import annotations

import re

import numpy as np

from core.attention import EncoderParams, check_heads

# Lecture 8, "ICE #1: Self-attention Exercise": x is 2 tokens of 4 numbers; W_Q, W_K, W_V are 4x3.
ICE1_X = np.array([[1, 2, 3, -1], [3, -4, -7, 5]], dtype=float)
ICE1_W_Q = np.array([[-1, 2, 0], [2, 3, -5], [1, 0, 0], [-3, 1, 2]], dtype=float)
ICE1_W_K = np.array([[1, 2, 3], [2, 4, 3], [3, 0, 3], [-1, 5, 2]], dtype=float)
ICE1_W_V = np.array([[-1, -2, 3], [2, -4, 0], [0, 0, 1], [1, 0, -7]], dtype=float)
ICE1_QUESTION = (
    "Which token (token 1 or token 2) does token 2 place more attention on, "
    "and what is the attention probability?"
)


def ice1() -> dict[str, np.ndarray]:
    return {"X": ICE1_X.copy(), "W_Q": ICE1_W_Q.copy(), "W_K": ICE1_W_K.copy(), "W_V": ICE1_W_V.copy()}


def random_self_attention(seed: int, n_tokens: int = 3, d_model: int = 4, d_k: int = 3,
                          low: int = -3, high: int = 3) -> dict[str, np.ndarray]:
    """Small integer matrices (checkable by hand) from a seed: the same seed, the same numbers."""
    rng = np.random.default_rng(seed)

    def ints(r, c):
        return rng.integers(low, high + 1, size=(r, c)).astype(float)

    return {"X": ints(n_tokens, d_model), "W_Q": ints(d_model, d_k), "W_K": ints(d_model, d_k),
            "W_V": ints(d_model, d_k)}


def random_tokens(seed: int, n_tokens: int, d_model: int) -> np.ndarray:
    """Token embeddings X [n_tokens, d_model], rounded to 2 decimals so they can be shown exactly."""
    rng = np.random.default_rng([seed, 1])
    return np.round(rng.normal(0.0, 1.0, size=(n_tokens, d_model)), 2)


def random_encoder_params(seed: int, d_model: int, n_heads: int, d_ff: int | None = None) -> EncoderParams:
    """Weights of one encoder block, drawn like a fresh Transformer's (variance 1/fan_in), rounded to 2
    decimals; layer-norm gains start at 1 and shifts at 0, as in torch.nn.LayerNorm."""
    check_heads(d_model, n_heads)
    d_ff = d_ff or 4 * d_model
    rng = np.random.default_rng([seed, 2])

    def w(r, c):
        return np.round(rng.normal(0.0, 1.0 / np.sqrt(r), size=(r, c)), 2)

    return EncoderParams(
        w_q=w(d_model, d_model), w_k=w(d_model, d_model), w_v=w(d_model, d_model), w_o=w(d_model, d_model),
        gamma_1=np.ones(d_model), beta_1=np.zeros(d_model),
        w_1=w(d_model, d_ff), b_1=np.zeros(d_ff), w_2=w(d_ff, d_model), b_2=np.zeros(d_model),
        gamma_2=np.ones(d_model), beta_2=np.zeros(d_model),
    )


_INERT = re.compile(r"[^\w'.,!?:;+=%/-]")  # drop what markdown, HTML or LaTeX would act on: * _ [ ] < > $ ...


def token_labels(text: str | None, n: int) -> list[str]:
    """Labels for n tokens: the words a person typed (split on spaces or commas, at most 12 characters,
    characters that markdown, HTML or LaTeX would act on removed) where given, 'token i' otherwise."""
    words = [_INERT.sub("", w.replace("_", ""))[:12] for w in (text or "").replace(",", " ").split()]
    return distinct_labels([words[i] if i < len(words) and words[i] else f"token {i + 1}" for i in range(n)])


def distinct_labels(labels) -> list[str]:
    """Tables and axes need distinct labels: a repeated word gets its count ('the', 'the (2)')."""
    seen: dict[str, int] = {}
    out = []
    for lab in map(str, labels):
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out
