"""Causal (decoder) masking: the attention weights when each token sees only itself and earlier tokens.

The student is given either the scores S = Q·Kᵀ of 3 or 4 tokens, or Q and K themselves (small
integers), and gives the masked weight matrix softmax(M), where M is S (divided by √d_k when the
variant is scaled) with −∞ above the diagonal. core.attention.attention(..., causal=True) computes
the answer. Params also hold V (never shown in the prompt) so that steps() can give the page 1
walk-through, whose last step is the output A·V. Variants are drawn again until no row past the first
is near one-hot (largest weight above 0.99): the first row is always [1, 0, ...].
"""

from __future__ import annotations

import math

import numpy as np

from core.attention import Attention, attention, causal_mask, softmax
from core.steps import attention_steps
from exercises.formatting import KEEP_PRECISION, bracketed, format_answer
from exercises.grading import grade_matrix
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "causal_mask"
TITLE = "Causal masking"
TOPIC = "self-attention"

GIVENS = ("scores", "qk")
MAX_WEIGHT = 0.99  # rows 2.. of the answer: no weight above this

EXPLAIN = {
    "no_mask": "You did not mask anything: with causal masking, token i may not look at later tokens, so set "
               "the scores above the diagonal (j > i) to −∞ before the softmax; their weights become 0.",
    "wrong_triangle": "You masked the wrong triangle, so tokens attend to the future: token i may see keys "
                      "1 to i (itself and earlier tokens), so mask the entries above the diagonal (j > i).",
    "mask_after_softmax": "You set the future weights to 0 after the softmax, so the rows no longer sum to 1: "
                          "mask the scores (−∞) before the softmax, which shares each row out among the "
                          "visible tokens only.",
    "mask_with_zero": "You set the masked scores to 0, but e^0 = 1 still gives the future tokens weight: set "
                      "them to −∞, so that e^−∞ = 0.",
    "masked_diagonal": "You also masked the diagonal: a token may attend to itself (j = i), only the later "
                       "tokens (j > i) are hidden, so token 1 puts all its weight on itself.",
    "no_scaling": "You took the softmax of the raw scores: divide every score by √d_k first, then mask and "
                  "take the softmax of each row.",
    "divided_by_d_k": "You divided the scores by d_k: scaled dot-product attention divides by √d_k, the square "
                      "root.",
    "k_qt": "You computed K·Qᵀ, the transpose of the scores: the scores are Q·Kᵀ, so entry (i, j) is query i · "
            "key j; then mask j > i and take the softmax of each row.",
}
HINT = ("Causal mask: token i sees keys 1..i. Set every score with j > i (above the diagonal) to −∞, then take "
        "the softmax of each row: e^−∞ = 0, and the visible weights of each row sum to 1.")


def _ints(rng: np.random.Generator, rows: int, cols: int) -> list[list[int]]:
    return [[int(v) for v in row] for row in rng.integers(-2, 3, size=(rows, cols))]


def generate(rng: np.random.Generator) -> dict:
    given = str(rng.choice(GIVENS))
    scale = bool(rng.random() < 0.6)
    n = int(rng.integers(3, 5))
    d_k = int(rng.integers(2, 5))
    while True:
        q, k, v = _ints(rng, n, d_k), _ints(rng, n, d_k), _ints(rng, n, d_k)
        p = {"q": q, "k": k, "v": v, "scale": scale, "given": given}
        if _attention(p).weights[1:].max() <= MAX_WEIGHT:
            return p


def labels(p: dict) -> list[str]:
    return [f"token {i + 1}" for i in range(len(p["q"]))]


def _attention(p: dict, *, scale: bool | None = None, causal: bool = True) -> Attention:
    return attention(np.asarray(p["q"], dtype=float), np.asarray(p["k"], dtype=float),
                     np.asarray(p["v"], dtype=float), scale=p["scale"] if scale is None else scale, causal=causal)


def _scores(p: dict) -> list[list[int]]:
    return [[int(round(s)) for s in row] for row in _attention(p).scores]  # integer inputs: exact


def _d_k(p: dict) -> int:
    return len(p["q"][0])


def _answer(p: dict) -> np.ndarray:
    return _attention(p).weights


def _masked_softmax(s: np.ndarray, hide: np.ndarray, fill: float = -np.inf) -> np.ndarray:
    return softmax(np.where(hide, fill, s), axis=-1)


@per_variant
def _mistakes(p: dict) -> dict[str, np.ndarray | None]:
    """The typical wrong answers, in MISTAKES order; None where one does not apply to this variant or
    equals the right answer or an earlier mistake's."""
    att = _attention(p)
    n = att.scores.shape[0]
    future = causal_mask(n)
    full = _attention(p, causal=False).weights
    candidates = {
        "no_mask": full,
        "wrong_triangle": _masked_softmax(att.scaled, future.T),
        "mask_after_softmax": np.where(future, 0.0, full),
        "mask_with_zero": _masked_softmax(att.scaled, future, 0.0),
        "masked_diagonal": _masked_softmax(att.scaled, future | np.eye(n, dtype=bool)),
        "no_scaling": _attention(p, scale=False).weights if p["scale"] else None,
        "divided_by_d_k": _masked_softmax(att.scores / _d_k(p), future) if p["scale"] else None,
        "k_qt": _masked_softmax(att.scaled.T, future) if p["given"] == "qk" else None,
    }
    return distinct(candidates, att.weights)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def prompt(p: dict) -> str:
    n, d_k = len(p["q"]), _d_k(p)
    if p["given"] == "scores":
        head = (f"The attention scores of {n} tokens are S = Q·Kᵀ = {bracketed(_scores(p))} (row i: query token "
                f"i, column j: key token j; also shown below)")
        head += f", with d_k = {d_k}. " if p["scale"] else ". "
    else:
        head = (f"The queries and keys of {n} tokens are Q = {bracketed(p['q'])} and K = {bracketed(p['k'])} (one "
                f"row per token, d_k = {d_k}; also shown below). The scores are S = Q·Kᵀ (row i: query token i, column j: "
                f"key token j). ")
    scores = "S / √d_k" if p["scale"] else "S (no scaling by √d_k here)"
    return head + (f"In a decoder such as GPT, each token may attend only to itself and to the tokens before it "
                   f"(causal masking). Compute the masked attention weights from {scores}, the softmax taken over "
                   f"each row. Give the {n}×{n} matrix, one row per line or rows separated by ';', each entry with "
                   f"at least 3 decimals. {KEEP_PRECISION}")


def answer_form(p: dict) -> dict:
    n = len(p["q"])
    return {"kind": "matrix", "rows": n, "cols": n}


def tables(p: dict) -> dict:
    return {"S": _scores(p)} if p["given"] == "scores" else {"Q": p["q"], "K": p["k"]}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def _shown(a) -> str:
    return format_answer(a).replace("-inf", "-∞")


def worked_solution(p: dict) -> str:
    att = _attention(p)
    d_k = _d_k(p)
    lines = []
    if p["given"] == "qk":
        lines.append(f"Scores S = Q·Kᵀ (row i: query token i, column j: key token j) = {_shown(att.scores)}")
    if p["scale"]:
        root = f"= S / {math.isqrt(d_k)}" if math.isqrt(d_k) ** 2 == d_k else f"≈ S / {math.sqrt(d_k):.4g}"
        lines.append(f"Scale: S / √d_k = S / √{d_k} {root} = {_shown(att.scaled)}")
    lines.append(f"Mask the future: every entry above the diagonal (key j after query i) becomes −∞: "
                 f"{_shown(att.masked)}")
    lines.append(f"Softmax of each row (e^−∞ = 0, so masked weights are 0 and each row still sums to 1): "
                 f"A = {_shown(att.weights)}")
    lines.append("Token 1 sees only itself, so its row is 1 followed by zeros.")
    return "\n".join(lines)


def steps(p: dict) -> list:
    """The page 1 walk-through for these numbers, with the causal mask (V is part of params for the
    last step, the output A·V)."""
    return attention_steps(_attention(p), labels(p))


def grade(p: dict, answer):
    return grade_matrix(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
