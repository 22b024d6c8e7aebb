"""Two-tower retrieval with in-batch negatives (lecture 9's Instacart slides).

A batch of B = 3 or 4 (search query, purchased product) pairs; one tower embeds the queries (rows of
Q), the other the products (rows of P), 2 or 3 small integers each. The score of query i and product j
is S[i][j] = q_i · p_j, so S = Q·Pᵀ. With vanilla in-batch negatives each query's own product (the
diagonal) is its positive and every other product in the batch (the off-diagonal entries of its row)
a negative; the loss of query r is the softmax cross-entropy of row r with target column r,
−ln softmax(S[r])[r] (torch.nn.functional.cross_entropy(S, arange(B)) per row).

Four asks: the score matrix S; how many negatives each query has; which entries of S are the negatives
(choice); the loss of one query. core.attention.softmax computes the softmax; S and the loss are the
small private formulas _scores and _row_loss, tested against torch.
"""

from __future__ import annotations

import math

import numpy as np

from core.attention import softmax
from exercises.choices import format_choices, grade_choice
from exercises.formatting import KEEP_PRECISION, bracketed, format_answer
from exercises.grading import grade_matrix, grade_number
from exercises.mistakes import distinct, typed_mistakes

ID = "two_tower"
TITLE = "Two-tower retrieval with in-batch negatives"
TOPIC = "sentence embeddings"

ASKS = ("scores", "negatives", "which_negatives", "loss")
PAIRS = (("orange", "Navel Oranges"), ("milk", "Whole Milk"), ("bread", "Sourdough Bread"),
         ("coffee", "Ground Coffee"), ("eggs", "Large Eggs"), ("pasta", "Spaghetti"))

RIGHT_OPTION = "The off-diagonal entries, S[i][j] with i ≠ j"
OPTIONS = {  # option text -> the mistake it stands for (None: the right one)
    RIGHT_OPTION: None,
    "The diagonal entries, S[i][i]": "diagonal_as_negatives",
    "Every entry of S": "every_entry_as_negative",
    "Only the entries below the diagonal, S[i][j] with i > j": "one_triangle_only",
}

EXPLAIN = {
    # ask "scores"
    "transposed_scores": "You computed P·Qᵀ, the transpose: row i of S is query i, so S[i][j] = q_i · p_j "
                         "and S = Q·Pᵀ.",
    "positives_only": "You scored only each query with its own product (the diagonal): in-batch training "
                      "scores every query against every product in the batch, a B×B matrix.",
    "softmaxed_rows": "You took the softmax of each row: the scores are the dot products themselves, before "
                      "any softmax.",
    # ask "negatives"
    "counted_the_positive": "You counted every product in the batch: the query's own product is its positive, "
                            "so it has B − 1 negatives.",
    "counted_whole_matrix": "You counted the negatives of the whole batch (all off-diagonal entries): each "
                            "query has B − 1, the other products in its row.",
    "one_negative": "You counted one negative per query, as with one sampled negative: with in-batch negatives "
                    "every other product in the batch is a negative, B − 1 of them.",
    # ask "which_negatives"
    # ask "which_negatives": why the option is wrong, never naming the right one
    "diagonal_as_negatives": "The diagonal S[i][i] scores each query with its own, purchased product: those pairs "
                             "are the positives, not negatives.",
    "every_entry_as_negative": "Not every entry: the diagonal S[i][i] scores each query with its own purchased "
                               "product, its positive.",
    "one_triangle_only": "S is not symmetric (query i with product j is not query j with product i): the entries "
                         "above the diagonal pair a query with another query's product just as those below do.",
    # ask "loss"
    "forgot_minus": "You gave ln p, a negative number: the loss is −ln p, where p = softmax(row)[own product].",
    "log10": "You used the base-10 logarithm: cross-entropy uses the natural logarithm, ln.",
    "gave_probability": "You gave the softmax probability p of the query's own product: the loss is −ln p.",
    "softmax_over_column": "You took the softmax down column r (the queries scored against the product): this "
                           "query's loss is the softmax over its own row, the products it is scored against.",
    "positive_left_out_of_denominator": "You left the positive out of the softmax's sum: the denominator adds "
                                        "e^score over the whole row, the query's own product included.",
    "target_in_first_column": "You used column 1 as the target: the query's own product is on the diagonal, "
                              "column r for row r.",
    "target_is_largest_score": "You used the product with the largest score as the target: the target is the "
                               "query's own (purchased) product, on the diagonal, whatever its score.",
    "batch_mean_loss": "You averaged the loss over every query of the batch (cross_entropy's default "
                       "reduction): the question asks for this one query's loss.",
}
HINT = ("S = Q·Pᵀ: S[i][j] = q_i · p_j. Row i's positive is S[i][i], its B − 1 negatives the rest of the row. "
        "Loss of query r: −ln( e^S[r][r] / (e^S[r][1] + ... + e^S[r][B]) ).")


def generate(rng: np.random.Generator) -> dict:
    ask = str(rng.choice(ASKS))
    b = int(rng.integers(3, 5))
    d = int(rng.integers(2, 4))
    pairs = [PAIRS[i] for i in rng.permutation(len(PAIRS))[:b]]
    p = {"ask": ask, "queries": [q for q, _ in pairs], "products": [x for _, x in pairs]}
    if ask == "which_negatives":
        p["options"] = [str(o) for o in rng.permutation(list(OPTIONS))]
    while True:
        q, pr = rng.integers(-2, 4, size=(2, b, d))
        if not (q.any(axis=1).all() and pr.any(axis=1).all()):
            continue
        p["Q"] = [[int(x) for x in row] for row in q]
        p["P"] = [[int(x) for x in row] for row in pr]
        s = _scores(p)
        if np.array_equal(s, s.T):  # the transpose must differ
            continue
        if ask == "loss":
            p["row"] = int(rng.integers(b))
            if not 0.05 <= _row_loss(s, p["row"]) <= 5:
                continue
        return p


def _scores(p: dict) -> np.ndarray:  # [B, B]: S[i][j] = q_i · p_j
    return np.array(p["Q"], dtype=float) @ np.array(p["P"], dtype=float).T


def _row_loss(s: np.ndarray, r: int) -> float:
    """−ln softmax(S[r])[r]: the in-batch softmax cross-entropy of query r, its own product the target."""
    return float(-math.log(softmax(s[r])[r]))


def _answer(p: dict):
    s = _scores(p)
    if p["ask"] == "scores":
        return s
    if p["ask"] == "negatives":
        return len(s) - 1
    if p["ask"] == "which_negatives":
        return p["options"].index(RIGHT_OPTION)
    return _row_loss(s, p["row"])


def _mistakes(p: dict) -> dict:
    """The typical wrong answers, in EXPLAIN order: values of the ask's kind (a matrix, a number or an
    option's index); None where one does not apply to the ask, or equals the right answer or an earlier
    mistake's."""
    ask = p["ask"]
    s = _scores(p)
    b = len(s)
    right = _answer(p)
    candidates: dict = {}
    if ask == "scores":
        candidates = {"transposed_scores": s.T, "positives_only": np.diag(s), "softmaxed_rows": softmax(s, axis=1)}
    elif ask == "negatives":
        candidates = {"counted_the_positive": b, "counted_whole_matrix": b * (b - 1), "one_negative": 1}
    elif ask == "which_negatives":
        candidates = {name: p["options"].index(o) for o, name in OPTIONS.items() if name is not None}
    else:
        r = p["row"]
        prob = float(softmax(s[r])[r])
        others = np.delete(s[r], r)
        top = int(np.argmax(s[r]))
        candidates = {
            "forgot_minus": math.log(prob),
            "log10": -math.log10(prob),
            "gave_probability": prob,
            "softmax_over_column": _row_loss(s.T, r),
            "positive_left_out_of_denominator": float(-(s[r, r] - np.log(np.exp(others).sum()))),
            "target_in_first_column": float(-math.log(softmax(s[r])[0])) if r != 0 else None,
            "target_is_largest_score": float(-math.log(softmax(s[r])[top])) if top != r else None,
            "batch_mean_loss": float(np.mean([_row_loss(s, i) for i in range(b)])),
        }
    return distinct(candidates, right, names=EXPLAIN)


def _typed(p: dict, value) -> str:
    """An answer (or a mistake's) as the student types it: an option's text, or format_answer's text."""
    return p["options"][value] if p["ask"] == "which_negatives" else format_answer(value)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN, _typed)


def prompt(p: dict) -> str:
    b = len(p["Q"])
    pairs = ", ".join(f"(\"{q}\", {x})" for q, x in zip(p["queries"], p["products"], strict=True))
    q_rows = "; ".join(f"q_{i + 1} = {bracketed(v)}" for i, v in enumerate(p["Q"]))
    p_rows = "; ".join(f"p_{i + 1} = {bracketed(v)}" for i, v in enumerate(p["P"]))
    intro = (f"A two-tower search model (as in the Instacart slides) embeds search queries with one tower and "
             f"products with the other. A training batch holds B = {b} (query, purchased product) pairs: {pairs}. "
             f"Row i of Q is query i's embedding and row i of P its product's (shown below): {q_rows}; {p_rows}. "
             f"The score of query i and product j is the dot product S[i][j] = q_i · p_j (rows and columns "
             f"numbered from 1).")
    if p["ask"] == "scores":
        return (intro + f" Compute the score matrix S (row i: query i, column j: product j). Give the {b}×{b} "
                f"matrix, one row per line or rows separated by ';'.")
    training = " Training uses vanilla in-batch negatives."
    if p["ask"] == "negatives":
        return intro + training + " How many negatives does each query have in this batch? Give a whole number."
    if p["ask"] == "which_negatives":
        return (intro + training + " Which entries of S are the negative pairs?\n" + format_choices(p["options"])
                + "\nGive the option's letter or its text.")
    r = p["row"]
    return (intro + training + " Each query's own product is its positive and the loss of a query is the "
            f"softmax cross-entropy over its row of S. Compute the loss of query {r + 1} (\"{p['queries'][r]}\"), "
            f"with the natural logarithm. {KEEP_PRECISION} Give one number with at least 3 decimals.")


def answer_form(p: dict) -> dict:
    b = len(p["Q"])
    return {"scores": {"kind": "matrix", "rows": b, "cols": b}, "negatives": {"kind": "number"},
            "which_negatives": {"kind": "choice", "options": list(p.get("options", []))},
            "loss": {"kind": "number"}}[p["ask"]]


def tables(p: dict) -> dict:
    return {"Q": p["Q"], "P": p["P"]}


def solve(p: dict):
    return _typed(p, _answer(p))


def _f(x) -> str:
    return format_answer(float(x))


def worked_solution(p: dict) -> str:
    s = _scores(p)
    b = len(s)
    ask = p["ask"]
    if ask == "scores":
        lines = []
        for i in range(b):
            terms = ", ".join(f"q_{i + 1}·p_{j + 1} = {_f(s[i, j])}" for j in range(b))
            lines.append(f"Row {i + 1} (\"{p['queries'][i]}\"): {terms}.")
        lines.append(f"S = {format_answer(s)}.")
        return "\n".join(lines)
    if ask in ("negatives", "which_negatives"):
        return "\n".join([
            "Each query's positive is its own product, on the diagonal: S[i][i].",
            f"Every other product in the batch is one of its negatives: the other {b - 1} entries of its row, "
            f"so each query has B − 1 = {b - 1} negatives and the batch {b * (b - 1)} (all off-diagonal entries, "
            "as in the lecture's figure of vanilla in-batch negatives)."])
    r = p["row"]
    row = s[r]
    e = np.exp(row)
    prob = float(softmax(row)[r])
    return "\n".join([
        f"Row {r + 1} of S (query \"{p['queries'][r]}\"): {format_answer(row)}; its positive is column {r + 1}, "
        f"S[{r + 1}][{r + 1}] = {_f(row[r])}.",
        f"e^score: {format_answer(e)}; their sum is {_f(e.sum())}.",
        f"Softmax probability of the positive: {_f(e[r])} / {_f(e.sum())} = {_f(prob)}.",
        f"Loss = −ln({_f(prob)}) = {_f(_answer(p))}."])


def grade(p: dict, answer):
    ask = p["ask"]
    right = _answer(p)
    if ask == "scores":
        return grade_matrix(right, answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
    if ask == "which_negatives":
        return grade_choice(right, answer, p["options"], lambda: _mistakes(p), EXPLAIN, hint=HINT)
    if ask == "negatives":  # a count: graded exactly (3.02 is not 3)
        return grade_number(right, answer, lambda: _mistakes(p), EXPLAIN, rel=0.0, abs_=1e-9, hint=HINT)
    return grade_number(right, answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
