"""Cosine similarity of two embeddings; which candidate embedding is closest to a query.

Two asks. "cosine": two sentence embeddings u and v of 3 or 4 small integers; the student gives
cos(u, v) = u·v / (|u| |v|). "closest": the lecture's Instacart example, a search query "orange" and
4 product embeddings of 2 or 3 integers; the student picks the product whose embedding is closest by
cosine. The candidates are built so that the largest dot product, the nearest in Euclidean distance and
the smallest cosine each belong to another product, so each of those slips is its own option. core.embeddings.cosine_matrix computes the answers.
"""

from __future__ import annotations

import math

import numpy as np

from core.embeddings import cosine_matrix
from exercises.choices import format_choices, grade_choice
from exercises.formatting import KEEP_PRECISION, bracketed, format_answer
from exercises.grading import grade_number
from exercises.mistakes import distinct, typed_mistakes

ID = "cosine_similarity"
TITLE = "Cosine similarity of embeddings"
TOPIC = "sentence embeddings"

ASKS = ("cosine", "closest")
QUERY = "orange"
PRODUCTS = ("Navel Oranges", "Clementines", "Mandarins", "Bananas", "Strawberries")  # lecture 9, query "Orange"

EXPLAIN = {
    # ask "cosine"
    "dot_product": "You gave the dot product u·v: divide it by the lengths, |u| |v|, to get the cosine.",
    "divided_by_squared_norms": "You divided u·v by |u|²·|v|², the squared lengths: divide by |u| |v|, where "
                                "|u| = √(u_1² + ... + u_n²).",
    "euclidean_distance": "You gave the Euclidean distance |u − v|: cosine similarity is u·v / (|u| |v|), the "
                          "cosine of the angle between the vectors.",
    "cosine_distance": "You gave 1 − cos(u, v), the cosine distance: the similarity is u·v / (|u| |v|) itself.",
    "angle_instead_of_cosine": "You gave the angle between the vectors in degrees: the answer is its cosine, "
                               "u·v / (|u| |v|), a number between −1 and 1.",
    "angle_in_radians": "You gave the angle between the vectors in radians: the answer is its cosine, "
                        "u·v / (|u| |v|), a number between −1 and 1.",
    # ask "closest"
    "largest_dot_product": "You picked the product with the largest dot product: a long vector can win that "
                           "without pointing the query's way. Divide by the lengths and pick the largest cosine.",
    "nearest_euclidean": "You picked the product nearest to the query in Euclidean distance: cosine similarity "
                         "compares directions, not positions. Pick the largest u·v / (|u| |v|).",
    "least_similar": "You picked the product with the smallest cosine, the least similar one: the closest "
                     "embedding has the largest cosine.",
}
HINT = ("cos(u, v) = u·v / (|u| |v|), where u·v = u_1 v_1 + ... + u_n v_n and |u| = √(u_1² + ... + u_n²). "
        "It lies between −1 and 1; the closest embedding is the one with the largest cosine.")


def generate(rng: np.random.Generator) -> dict:
    ask = str(rng.choice(ASKS))
    if ask == "cosine":
        d = int(rng.integers(3, 5))
        while True:
            u, v = rng.integers(-3, 5, size=(2, d))
            if u.any() and v.any() and 0.05 <= abs(_cos(u, v)) <= 0.97:
                return {"ask": ask, "u": [int(x) for x in u], "v": [int(x) for x in v]}
    n = 4  # four options, so that guessing through them earns little (exercises.choices.MIN_OPTIONS)
    d = int(rng.integers(2, 4))
    names = [str(x) for x in rng.permutation(PRODUCTS)[:n]]
    while True:
        q = rng.integers(-3, 4, size=d)
        if q @ q < 5:
            continue
        cands = np.array([2 * q + rng.integers(-1, 2, size=d),    # about q's direction, twice as long
                          3 * q + rng.integers(-3, 4, size=d),    # longer, less aligned: a large dot product
                          q + rng.integers(-2, 3, size=d),        # near q, less aligned
                          rng.integers(-3, 4, size=d) - q][:n])   # pointing away
        cands = cands[rng.permutation(n)]
        p = {"ask": ask, "query": [int(x) for x in q], "names": names,
             "candidates": [[int(x) for x in row] for row in cands]}
        if cands.any(axis=1).all() and _well_separated(p):
            return p


def _cos(u, v) -> float:
    return float(cosine_matrix(np.array([u, v], dtype=float))[0, 1])


def _cosines(p: dict) -> np.ndarray:  # [n]: each candidate's cosine with the query
    return cosine_matrix(np.vstack([p["query"], p["candidates"]]).astype(float))[0, 1:]


def _measures(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # cosine, dot product, distance: [n] each
    q = np.array(p["query"], dtype=float)
    c = np.array(p["candidates"], dtype=float)
    return _cosines(p), c @ q, np.linalg.norm(c - q, axis=1)


def _well_separated(p: dict) -> bool:
    """One clear winner by each measure, and the slips each pick another product than the cosine does."""
    cos, dot, dist = _measures(p)

    def gap(x):  # the largest minus the second largest
        s = np.sort(x)
        return s[-1] - s[-2]

    if gap(cos) < 0.02 or gap(-cos) < 0.02 or gap(dot) < 1 or gap(-dist) < 0.1:
        return False
    picks = [int(np.argmax(cos)), int(np.argmax(dot)), int(np.argmin(dist)), int(np.argmin(cos))]
    k = min(len(cos), 4)  # with 3 products the least similar is one of the other slips' picks
    return len(set(picks[:k])) == k


def _answer(p: dict):
    if p["ask"] == "cosine":
        return _cos(p["u"], p["v"])
    return int(np.argmax(_cosines(p)))


def _mistakes(p: dict) -> dict:
    """The typical wrong answers, in EXPLAIN order: numbers for "cosine", option indices for "closest";
    None where one does not apply to the ask, or equals the right answer or an earlier mistake's."""
    right = _answer(p)
    if p["ask"] == "cosine":
        u, v = np.array(p["u"], dtype=float), np.array(p["v"], dtype=float)
        dot = float(u @ v)
        angle = math.acos(max(-1.0, min(1.0, right)))
        candidates = {
            "dot_product": dot,
            "divided_by_squared_norms": dot / float((u @ u) * (v @ v)),
            "euclidean_distance": float(np.linalg.norm(u - v)),
            "cosine_distance": 1.0 - right,
            "angle_instead_of_cosine": math.degrees(angle),
            "angle_in_radians": angle,
        }
    else:
        cos, dot, dist = _measures(p)
        candidates = {"largest_dot_product": int(np.argmax(dot)), "nearest_euclidean": int(np.argmin(dist)),
                      "least_similar": int(np.argmin(cos))}
    return distinct(candidates, right, names=EXPLAIN)


def _typed(p: dict, value) -> str:
    """An answer (or a mistake's) as the student types it: a product's name, or format_answer's text."""
    return p["names"][value] if p["ask"] == "closest" else format_answer(value)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN, _typed)


def prompt(p: dict) -> str:
    if p["ask"] == "cosine":
        return (f"Two sentence embeddings are u = {bracketed(p['u'])} and v = {bracketed(p['v'])}. Compute their cosine "
                f"similarity, cos(u, v). {KEEP_PRECISION} Give one number with at least 3 decimals.")
    lines = format_choices([f"{name}: {bracketed(c)}" for name, c in zip(p["names"], p["candidates"], strict=True)])
    return (f"A two-tower search model embeds the query \"{QUERY}\" as q = {bracketed(p['query'])} and "
            f"{len(p['names'])} products as below.\n{lines}\n"
            f"Which product's embedding is closest to the query's by cosine similarity? Give the product's "
            f"name or its letter.")


def answer_form(p: dict) -> dict:
    if p["ask"] == "cosine":
        return {"kind": "number"}
    return {"kind": "choice", "options": list(p["names"])}


def tables(p: dict) -> dict:
    if p["ask"] == "cosine":
        return {"u": p["u"], "v": p["v"]}
    return {f"query \"{QUERY}\"": p["query"], **dict(zip(p["names"], p["candidates"], strict=True))}


def solve(p: dict):
    return _typed(p, _answer(p))


def _f(x: float) -> str:
    return format_answer(float(x))


def worked_solution(p: dict) -> str:
    if p["ask"] == "cosine":
        u, v = np.array(p["u"], dtype=float), np.array(p["v"], dtype=float)
        dot = float(u @ v)
        nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
        terms = " + ".join(f"({a})·({b})" for a, b in zip(p["u"], p["v"], strict=True))
        return "\n".join([
            f"u·v = {terms} = {_f(dot)}.",
            f"|u| = √{_f(u @ u)} = {_f(nu)}, |v| = √{_f(v @ v)} = {_f(nv)}.",
            f"cos(u, v) = {_f(dot)} / ({_f(nu)} × {_f(nv)}) = {_f(_answer(p))}."])
    cos, dot, dist = _measures(p)
    q = np.array(p["query"], dtype=float)
    lines = [f"|q| = √{_f(q @ q)} = {_f(np.linalg.norm(q))}."]
    for name, c, cs, dt in zip(p["names"], p["candidates"], cos, dot, strict=True):
        c = np.array(c, dtype=float)
        lines.append(f"{name}: q·c = {_f(dt)}, |c| = {_f(np.linalg.norm(c))}, cosine = {_f(cs)}.")
    best = _answer(p)
    lines.append(f"The largest cosine is {_f(cos[best])}: {p['names'][best]}.")
    lines.append(f"(The largest dot product belongs to {p['names'][int(np.argmax(dot))]} and the nearest by "
                 f"distance is {p['names'][int(np.argmin(dist))]}: neither measure is the cosine.)")
    return "\n".join(lines)


def grade(p: dict, answer):
    if p["ask"] == "closest":
        return grade_choice(_answer(p), answer, p["names"], lambda: _mistakes(p), EXPLAIN, hint=HINT)
    return grade_number(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
