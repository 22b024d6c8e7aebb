"""Q, K and V: the projections of the tokens X by the weight matrices W_Q, W_K and W_V.

The student is shown X and all three weight matrices (small integers, so every answer is an integer
matrix) and gives one of Q = X·W_Q, K = X·W_K or V = X·W_V; core.attention.self_attention computes it.
A third of the variants are square (3 tokens, W 3×3) so that the mistakes that need matching shapes
(X·Wᵀ, W·X, X⊙W) can happen; FIXED holds the lecture's ICE #1, whose Q, K and V the walk-through of
page 1 shows.
"""

from __future__ import annotations

import numpy as np

from core import examples
from core.attention import Attention, self_attention
from exercises.formatting import bracketed, format_answer
from exercises.grading import grade_matrix
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "qkv_projection"
TITLE = "Q, K and V projections"
TOPIC = "self-attention"

WHICH = ("Q", "K", "V")
NAMES = {"Q": ("queries", "w_q", "W_Q"), "K": ("keys", "w_k", "W_K"), "V": ("values", "w_v", "W_V")}

EXPLAIN = {
    "used_w_q": "You multiplied X by W_Q, which gives the queries Q: each projection has its own weights "
                "(Q = X·W_Q, K = X·W_K, V = X·W_V).",
    "used_w_k": "You multiplied X by W_K, which gives the keys K: each projection has its own weights "
                "(Q = X·W_Q, K = X·W_K, V = X·W_V).",
    "used_w_v": "You multiplied X by W_V, which gives the values V: each projection has its own weights "
                "(Q = X·W_Q, K = X·W_K, V = X·W_V).",
    "transposed_weight": "You multiplied X by the transpose of the weight matrix: entry (i, c) is row i of X "
                         "times column c of W (not row c of W).",
    "transposed_result": "You wrote the result transposed (Wᵀ·Xᵀ): the projection X·W has one row per token "
                         "and one column per feature.",
    "w_times_x": "You computed W·X: the tokens are the rows of X, so the projection is X·W (token row times "
                 "the columns of W), one row per token.",
    "elementwise": "You multiplied entry by entry: X·W is a matrix product, entry (i, c) is the sum over m of "
                   "X[i, m]·W[m, c].",
}
HINT = "Each row of X is one token: row i of X·W is token i's row times each column of W (a sum of products)."


def _ints(rng: np.random.Generator, rows: int, cols: int) -> list[list[int]]:
    return [[int(v) for v in row] for row in rng.integers(-2, 3, size=(rows, cols))]


def _lecture(which: str) -> dict:
    ice = examples.ice1()

    def ints(a):
        return [[int(v) for v in row] for row in a]

    return {"x": ints(ice["X"]), "w_q": ints(ice["W_Q"]), "w_k": ints(ice["W_K"]), "w_v": ints(ice["W_V"]),
            "which": which}


FIXED = {"lecture_q": _lecture("Q"), "lecture_k": _lecture("K"), "lecture_v": _lecture("V")}


def generate(rng: np.random.Generator) -> dict:
    which = str(rng.choice(WHICH))
    if rng.random() < 1 / 3:  # square: X·Wᵀ, W·X and X⊙W all have the right shape
        n = d_model = d_k = 3
    else:
        n, d_model, d_k = int(rng.integers(2, 4)), int(rng.integers(3, 5)), int(rng.integers(2, 4))
    while True:
        x = _ints(rng, n, d_model)
        ws = [_ints(rng, d_model, d_k) for _ in WHICH]
        p = {"x": x, "w_q": ws[0], "w_k": ws[1], "w_v": ws[2], "which": which}
        if all(any(row) for row in x) and np.any(_answer(p) != 0):  # no token of zeros, no all-zero answer
            return p


def _attention(p: dict) -> Attention:
    return self_attention(p["x"], p["w_q"], p["w_k"], p["w_v"])


def _answer(p: dict) -> np.ndarray:
    return getattr(_attention(p), p["which"].lower())


@per_variant
def _mistakes(p: dict) -> dict[str, np.ndarray | None]:
    """The typical wrong answers, in MISTAKES order; None where a mistake's shapes do not fit, or where it
    equals the right answer or an earlier mistake's."""
    x = np.asarray(p["x"], dtype=float)
    w = np.asarray(p[NAMES[p["which"]][1]], dtype=float)
    att = _attention(p)
    n, d_model = x.shape
    d_k = w.shape[1]
    candidates = {
        "used_w_q": att.q if p["which"] != "Q" else None,
        "used_w_k": att.k if p["which"] != "K" else None,
        "used_w_v": att.v if p["which"] != "V" else None,
        "transposed_weight": x @ w.T if d_k == d_model else None,  # [n, d_model] x [d_k, d_model]ᵀ
        "transposed_result": w.T @ x.T,  # (X·W)ᵀ: [d_k, n]
        "w_times_x": w @ x if d_k == n else None,  # [d_model, d_k] x [n, d_model] -> [d_model, d_model]
        "elementwise": x * w if x.shape == w.shape else None,
    }
    return distinct(candidates, _answer(p))


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def prompt(p: dict) -> str:
    n, d_model, d_k = len(p["x"]), len(p["x"][0]), len(p["w_q"][0])
    what, key, w_name = NAMES[p["which"]]
    name = p["which"]
    return (f"X holds {n} tokens of {d_model} numbers (one row per token), and W_Q, W_K, W_V are {d_model}×{d_k}: "
            f"X = {bracketed(p['x'])}, W_Q = {bracketed(p['w_q'])}, W_K = {bracketed(p['w_k'])}, "
            f"W_V = {bracketed(p['w_v'])} (also shown below). Compute the {what} {name} = X·{w_name}. Give the {n}×{d_k} matrix, one row per "
            f"line or rows separated by ';'.")


def answer_form(p: dict) -> dict:
    return {"kind": "matrix", "rows": len(p["x"]), "cols": len(p["w_q"][0])}


def tables(p: dict) -> dict:
    return {"X": p["x"], "W_Q": p["w_q"], "W_K": p["w_k"], "W_V": p["w_v"]}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def _paren(v: int) -> str:
    return f"({v})" if v < 0 else str(v)


def worked_solution(p: dict) -> str:
    x = p["x"]
    name = p["which"]
    w_name = NAMES[name][2]
    w = p[NAMES[name][1]]
    right = _answer(p)
    col = [row[0] for row in w]
    terms = " + ".join(f"{_paren(a)}·{_paren(b)}" for a, b in zip(x[0], col, strict=True))
    lines = [f"{name} = X·{w_name}: ({len(x)}×{len(x[0])})·({len(w)}×{len(w[0])}) → ({len(x)}×{len(w[0])}), "
             f"one row per token.",
             f"Entry (i, c) is row i of X times column c of {w_name}. For example row 1, column 1: "
             f"{terms} = {format_answer(float(right[0, 0]))}."]
    for i, row in enumerate(right):
        lines.append(f"Row {i + 1} (token {i + 1}): {format_answer(row)}")
    lines.append(f"{name} = {format_answer(right)}")
    return "\n".join(lines)


def grade(p: dict, answer):
    return grade_matrix(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
