"""Self-attention weights from X, W_Q, W_K and W_V (the lecture's ICE #1, and random variants like it).

The student computes Q = X·W_Q, K = X·W_K, the scores Q·Kᵀ (divided by √d_k when the variant is
scaled) and the row softmax, then gives one of: the full weight matrix ("matrix"), one query's
probability on one key ("entry"), or the key token a query attends to most ("which", multiple
choice over the token labels). core.attention.self_attention computes every answer.

Random variants: 2 or 3 tokens (3 for "which") of 3 or 4 integers in -2..2, weights in -1..1, d_k 2 to 4, drawn again
until no weight exceeds 0.99 (a near one-hot matrix would hide most mistakes). FIXED holds ICE #1 as
the lecture gives it; its softmax is near one-hot (token 2 attends to token 2 with probability 1, to
token 1 with 3.5e-153), so several mistakes coincide with the right answer there and are None.

The "which" options are the token labels in sentence order, not shuffled: option number i is token i,
so a student who types "2" means token 2 whichever way the options were listed; a last option says two
or more tokens tie (never right: the largest weight beats the next by MIN_GAP), so every "which" item
has 4 options (3 tokens and the tie) and guessing through them earns little.
"""

from __future__ import annotations

import math

import numpy as np

from core import examples
from core.attention import Attention, self_attention, softmax
from core.steps import attention_steps, attention_summary
from exercises.choices import grade_choice
from exercises.formatting import KEEP_PRECISION, bracketed, format_answer
from exercises.grading import grade_matrix, grade_number
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "attention_weights"
TITLE = "Self-attention weights"
TOPIC = "self-attention"

ASKS = ("matrix", "entry", "which")
MAX_WEIGHT = 0.99  # random variants: no weight above this (else the softmax is all-or-nothing)
MIN_GAP = 0.05  # "which": the largest weight of the row beats the next by at least this
MIN_ENTRY = 0.02  # "entry": the probability asked for is at least this (so 3 decimals tell it apart)

EXPLAIN = {
    "no_scaling": "You took the softmax of the raw scores Q·Kᵀ: divide every score by √d_k first, then take "
                  "the softmax of each row.",
    "divided_by_d_k": "You divided the scores by d_k: scaled dot-product attention divides Q·Kᵀ by √d_k, "
                      "the square root.",
    "unwanted_scaling": "You divided the scores by √d_k, but this exercise asks for softmax(Q·Kᵀ) without "
                        "scaling: take the softmax of the raw scores.",
    "softmax_over_columns": "You took the softmax down each column: the weights of one query token are a row "
                            "(row i: query token i, column j: key token j), so take the softmax along each row "
                            "and check that each row sums to 1.",
    "k_qt": "You computed K·Qᵀ, the transpose of the scores: the scores are Q·Kᵀ, so entry (i, j) is "
            "query i · key j; then take the softmax of each row.",
    "transposed": "You wrote the weight matrix transposed (keys as rows): row i is query token i and column j "
                  "is key token j, so each row, not each column, sums to 1.",
    "no_softmax": "You stopped at the (scaled) scores: the attention weights are the softmax of each row of "
                  "scores, positive numbers that sum to 1.",
    "query_instead_of_key": "You found the query token that puts the most weight on this token (its column): "
                            "the question asks which key this token attends to, the largest weight in its own "
                            "row.",
    "attends_to_itself": "A token does not always attend most to itself: compute its row of weights and take "
                         "the key with the largest one.",
}
HINT = ("Q = X·W_Q and K = X·W_K; the scores are Q·Kᵀ (row i: query token i, column j: key token j), divided "
        "by √d_k when scaled; each row's softmax gives that query token's weights, which sum to 1.")


def _ints(rng: np.random.Generator, lo: int, hi: int, rows: int, cols: int) -> list[list[int]]:
    return [[int(v) for v in row] for row in rng.integers(lo, hi + 1, size=(rows, cols))]


def _params(x, w_q, w_k, w_v, scale: bool, ask: str, query: int, key: int) -> dict:
    return {"x": x, "w_q": w_q, "w_k": w_k, "w_v": w_v, "scale": scale, "ask": ask, "query": query, "key": key}


def _lecture(ask: str) -> dict:
    ice = examples.ice1()

    def ints(a):
        return [[int(v) for v in row] for row in a]

    # ICE #1 asks about token 2 (index 1); it attends most to itself
    return _params(ints(ice["X"]), ints(ice["W_Q"]), ints(ice["W_K"]), ints(ice["W_V"]), True, ask, 1, 1)


FIXED = {
    "lecture": _lecture("which"),  # "which token does token 2 place more attention on"
    "lecture_probability": _lecture("entry"),  # "... and what is the attention probability?"
    "lecture_matrix": _lecture("matrix"),
}


def generate(rng: np.random.Generator) -> dict:
    ask = str(rng.choice(ASKS))
    scale = bool(rng.random() < 0.75)
    n = int(rng.choice([2, 3, 3, 3]))
    if ask == "which":  # 3 tokens and the tie: 4 options, so that guessing through them earns little
        n = 3
    d_model = int(rng.integers(3, 5))
    d_k = int(rng.integers(2, 5))
    while True:
        x = _ints(rng, -2, 2, n, d_model)
        if not all(any(row) for row in x):  # a token of zeros gets the same scores from every key
            continue
        w_q, w_k, w_v = (_ints(rng, -1, 1, d_model, d_k) for _ in range(3))
        query, key = int(rng.integers(n)), int(rng.integers(n))
        p = _params(x, w_q, w_k, w_v, scale, ask, query, key)
        w = _attention(p).weights
        if w.max() > MAX_WEIGHT:
            continue
        row = np.sort(w[query])[::-1]
        if ask == "which" and row[0] - row[1] < MIN_GAP:
            continue
        if ask == "entry" and w[query, key] < MIN_ENTRY:
            continue
        return p


def labels(p: dict) -> list[str]:
    return [f"token {i + 1}" for i in range(len(p["x"]))]


TIE = "no single token: two or more tie for the most"


def options(p: dict) -> list[str]:
    """The "which" options: the tokens in sentence order, then the tie (never right: MIN_GAP)."""
    return [*labels(p), TIE]


def _attention(p: dict, scale: bool | None = None) -> Attention:
    return self_attention(p["x"], p["w_q"], p["w_k"], p["w_v"], scale=p["scale"] if scale is None else scale)


def _d_k(p: dict) -> int:
    return len(p["w_q"][0])


def _answer(p: dict):
    """The weight matrix, one weight, or the index of the key token with the largest weight."""
    w = _attention(p).weights
    if p["ask"] == "matrix":
        return w
    if p["ask"] == "entry":
        return float(w[p["query"], p["key"]])
    return int(np.argmax(w[p["query"]]))


def _wrong_matrices(p: dict) -> dict[str, np.ndarray | None]:
    """Each mistake's whole weight matrix (None where the mistake does not apply to this variant)."""
    att = _attention(p)
    return {
        "no_scaling": _attention(p, scale=False).weights if p["scale"] else None,
        "divided_by_d_k": softmax(att.scores / _d_k(p)) if p["scale"] else None,
        "unwanted_scaling": None if p["scale"] else _attention(p, scale=True).weights,
        "softmax_over_columns": softmax(att.scaled, axis=0),
        "k_qt": softmax(att.scaled.T, axis=-1),
        "transposed": att.weights.T,
        "no_softmax": att.scaled,
    }


@per_variant
def _mistakes(p: dict) -> dict:
    """The typical wrong answers in MISTAKES order, in the form of _answer (matrix, number or option
    index); None where one equals the right answer or an earlier mistake's."""
    mats = {name: m for name, m in _wrong_matrices(p).items() if m is not None}
    i, j = p["query"], p["key"]
    if p["ask"] == "which":
        candidates = {name: int(np.argmax(m[i])) for name, m in mats.items()
                      if name not in ("no_softmax", "transposed")}
        candidates["query_instead_of_key"] = int(np.argmax(_attention(p).weights[:, i]))
        candidates["attends_to_itself"] = i
    elif p["ask"] == "entry":
        # a value outside 0..1 is no probability: it is refused as unreadable (no try), not named
        candidates = {name: float(m[i, j]) for name, m in mats.items() if 0.0 <= m[i, j] <= 1.0}
    else:
        candidates = mats
    return distinct(candidates, _answer(p), names=EXPLAIN)


def _typed(p: dict, value) -> str:
    """An answer (or a mistake's) as the student types it: a token's label, or format_answer's text."""
    return labels(p)[value] if p["ask"] == "which" else format_answer(value)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN, _typed)


def prompt(p: dict) -> str:
    n, d_model, d_k = len(p["x"]), len(p["x"][0]), _d_k(p)
    lab = labels(p)
    formula = "A = softmax(Q·Kᵀ / √d_k)" if p["scale"] else "A = softmax(Q·Kᵀ) (no scaling by √d_k here)"
    head = (f"Self-attention: X holds {n} tokens of {d_model} numbers (one row per token), and the weight "
            f"matrices W_Q, W_K, W_V are {d_model}×{d_k}: X = {bracketed(p['x'])}, W_Q = {bracketed(p['w_q'])}, "
            f"W_K = {bracketed(p['w_k'])}, W_V = {bracketed(p['w_v'])} (also shown below). "
            f"With Q = X·W_Q and K = X·W_K, the attention weights are {formula}, the softmax taken over each "
            f"row (row i: query token i, column j: key token j), with d_k = {d_k}. ")
    if p["ask"] == "matrix":
        return head + (f"Compute the {n}×{n} attention weight matrix A. Give it one row per line or rows "
                       f"separated by ';', each entry with at least 3 decimals. {KEEP_PRECISION}")
    q = lab[p["query"]]
    if p["ask"] == "entry":
        return head + (f"What attention probability does {q} (the query) place on {lab[p['key']]} (the key)? "
                       f"{KEEP_PRECISION} Give one number with at least 3 decimals.")
    return head + (f"Which token does {q} place the most attention on? Answer with the token's name "
                   f"({lab[0]} to {lab[-1]}) or its number, or with option {n + 1}, '{TIE}'.")


def answer_form(p: dict) -> dict:
    n = len(p["x"])
    if p["ask"] == "matrix":
        return {"kind": "matrix", "rows": n, "cols": n}
    if p["ask"] == "entry":
        return {"kind": "number"}
    return {"kind": "choice", "options": options(p)}


def tables(p: dict) -> dict:
    return {"X": p["x"], "W_Q": p["w_q"], "W_K": p["w_k"], "W_V": p["w_v"]}


def solve(p: dict) -> str:
    return _typed(p, _answer(p))


def worked_solution(p: dict) -> str:
    att = _attention(p)
    lab = labels(p)
    d_k = _d_k(p)
    lines = [f"Q = X·W_Q = {format_answer(att.q)}",
             f"K = X·W_K = {format_answer(att.k)}",
             f"Scores S = Q·Kᵀ (row i: query token i, column j: key token j) = {format_answer(att.scores)}"]
    if p["scale"]:
        root = f"= S / {math.isqrt(d_k)}" if math.isqrt(d_k) ** 2 == d_k else f"≈ S / {math.sqrt(d_k):.4g}"
        lines.append(f"Scale: S / √d_k = S / √{d_k} {root} = {format_answer(att.scaled)}")
    lines.append(f"Softmax of each row: A = {format_answer(att.weights)} (each row sums to 1)")
    i, j = p["query"], p["key"]
    if p["ask"] == "entry":
        lines.append(f"Row {i + 1} (query {lab[i]}), column {j + 1} (key {lab[j]}): "
                     f"{format_answer(float(att.weights[i, j]))}")
    elif p["ask"] == "which":
        lines.append(f"Row {i + 1}: {attention_summary(att.weights, lab, i)}.")
    return "\n".join(lines)


def steps(p: dict) -> list:
    """The page 1 walk-through for these numbers: Q, K, V, scores, scaling, softmax, output."""
    return attention_steps(_attention(p), labels(p), x=np.asarray(p["x"], dtype=float))


def grade(p: dict, answer):
    if p["ask"] == "matrix":
        return grade_matrix(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
    if p["ask"] == "entry":
        # a probability: "42%" reads as 0.42; outside 0..1 is unreadable
        return grade_number(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT, probability=True)
    return grade_choice(_answer(p), answer, options(p), lambda: _mistakes(p), EXPLAIN, hint=HINT)
