"""Softmax of a score row; the effect of scaling by sqrt(d_k).

One query's scores against 3 or 4 keys (integers, so nothing shown needs rounding). In the scaled
variant d_k is a perfect square (4, 9 or 16), so s / sqrt(d_k) is exact too. The student gives the
attention weights softmax(s) or softmax(s / sqrt(d_k)); core.attention.softmax computes the answer.
"""

from __future__ import annotations

import math

import numpy as np

from core.attention import softmax
from exercises.formatting import KEEP_PRECISION, format_answer
from exercises.grading import grade_vector
from exercises.mistakes import distinct, typed_mistakes

ID = "softmax_row"
TITLE = "Softmax of a score row"
TOPIC = "softmax"

D_KS = (4, 9, 16)  # perfect squares: sqrt(d_k) is a whole number

EXPLAIN = {
    "no_scaling": "You took the softmax of the raw scores: divide each score by sqrt(d_k) first, then take the softmax.",
    "divided_by_d_k": "You divided the scores by d_k: scaled dot-product attention divides by sqrt(d_k).",
    "no_exponent": "You divided each score by the sum of the scores: softmax divides e^score by the sum of e^score "
                   "over the row, which also keeps every weight positive.",
    "forgot_normalisation": "You took e^score but did not divide by the sum over the row: the weights must add up to 1.",
    "max_instead_of_softmax": "You put all the weight on the largest score: softmax gives every key some weight, "
                              "more to larger scores.",
}
HINT = "Weights: w_j = e^(x_j) / (e^(x_1) + ... + e^(x_n)), where x is the (scaled) score row; they add up to 1."


def generate(rng: np.random.Generator) -> dict:
    n = int(rng.integers(3, 5))  # 3 or 4 keys
    while True:
        scores = [int(s) for s in rng.integers(-3, 6, size=n)]
        if scores.count(max(scores)) == 1 and sum(scores) != 0:  # one largest score; scores/sum defined
            break
    scale = bool(rng.random() < 0.5)
    d_k = int(rng.choice(D_KS)) if scale else None
    return {"scores": scores, "scale": scale, "d_k": d_k}


def _x(p: dict) -> np.ndarray:  # the row the softmax is taken of: [n]
    s = np.array(p["scores"], dtype=float)
    return s / math.sqrt(p["d_k"]) if p["scale"] else s


def _answer(p: dict) -> np.ndarray:
    return softmax(_x(p))


def _mistakes(p: dict) -> dict[str, np.ndarray | None]:
    """The typical wrong answers, in MISTAKES order; None where one equals the right answer or an
    earlier mistake's (the grader could not tell them apart)."""
    s = np.array(p["scores"], dtype=float)
    x = _x(p)
    candidates = {
        "no_scaling": softmax(s) if p["scale"] else None,
        "divided_by_d_k": softmax(s / p["d_k"]) if p["scale"] else None,
        "no_exponent": x / x.sum(),
        "forgot_normalisation": np.exp(x),
        "max_instead_of_softmax": np.eye(len(s))[int(np.argmax(s))],
    }
    return distinct(candidates, _answer(p))


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def prompt(p: dict) -> str:
    row = "[" + ", ".join(str(s) for s in p["scores"]) + "]"
    n = len(p["scores"])
    if p["scale"]:
        task = (f"One query's dot products with {n} keys are {row}, and d_k = {p['d_k']}. "
                f"Compute its attention weights, softmax(scores / sqrt(d_k)).")
    else:
        task = f"One query's attention scores against {n} keys are {row}. Compute its attention weights, softmax(scores)."
    return task + f" {KEEP_PRECISION} Give the {n} weights in order, separated by spaces, each with at least 3 decimals."


def answer_form(p: dict) -> dict:
    return {"kind": "vector", "n": len(p["scores"])}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def worked_solution(p: dict) -> str:
    """The steps, for after the last allowed try or a right answer."""
    x = _x(p)
    e = np.exp(x)
    steps = []
    if p["scale"]:
        steps.append(f"Divide by sqrt({p['d_k']}) = {math.isqrt(p['d_k'])}: {format_answer(x)}.")
    steps.append(f"Take e to each: {format_answer(e)}.")
    steps.append(f"Divide each by their sum, {format_answer(float(e.sum()))}: {format_answer(_answer(p))}.")
    return " ".join(steps)


def grade(p: dict, answer):
    return grade_vector(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
