"""Pooling a small last hidden state with an attention mask: CLS, mean and max pooling.

A short sentence, padded in a batch: [CLS], its words, [SEP], then 1 or 2 [PAD] positions (4 to 6
tokens in all), each with a vector of 3 or 4 small integers or 1-decimal numbers, and the attention
mask (1 for the sentence's own tokens, 0 for [PAD]). The student gives the sentence embedding by CLS,
mean or max pooling, as sentence-transformers computes it: CLS is the first row; mean and max use
only the rows the mask keeps, [CLS] and [SEP] included. core.embeddings.pool computes the answer.
"""

from __future__ import annotations

import numpy as np

from core.embeddings import pool
from exercises.formatting import format_answer
from exercises.grading import grade_vector
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "pooling"
TITLE = "Pooling a hidden state into a sentence embedding"
TOPIC = "sentence embeddings"

ASKS = ("cls", "mean", "max")
NAMES = {"cls": "CLS pooling", "mean": "mean pooling", "max": "max pooling"}
SENTENCES = {  # by number of words (one token each)
    1: ("hello", "thanks", "oranges", "bananas", "milk"),
    2: ("cats purr", "fresh milk", "navel oranges", "good morning", "buy eggs"),
    3: ("the cat sat", "i love tea", "oranges are sweet", "we need bread", "see you soon"),
}

EXPLAIN = {
    "cls_took_last_row": "You took the last row of H, a [PAD] position: CLS pooling takes the first row, the "
                         "[CLS] token's vector.",
    "cls_took_sep": "You took the [SEP] token's vector (the last token the mask keeps): CLS pooling takes the "
                    "first row, the [CLS] token's vector.",
    "mean_counts_padding": "You averaged over every row, the [PAD] rows too: mean pooling averages only the rows "
                           "whose attention mask is 1.",
    "divided_by_padded_length": "You added up the kept rows but divided by the padded length: divide by the "
                                "number of tokens the mask keeps.",
    "sum_instead_of_mean": "You added up the kept rows but did not divide: mean pooling divides the sum by the "
                           "number of tokens the mask keeps.",
    "mean_excludes_cls": "You left out the [CLS] row: mean pooling (as in sentence-transformers) averages every "
                         "token the mask keeps, [CLS] and [SEP] included.",
    "mean_excludes_special_tokens": "You left out the [CLS] and [SEP] rows: mean pooling (as in "
                                    "sentence-transformers) averages every token the mask keeps, special tokens "
                                    "included.",
    "averaged_across_dimensions": "You averaged each token's own numbers (one number per token): mean pooling "
                                  "averages each dimension over the tokens, one number per dimension.",
    "max_includes_padding": "You let the [PAD] rows into the maximum: max pooling takes, per dimension, the "
                            "largest value over the rows whose attention mask is 1 only.",
    "max_across_dimensions": "You took each token's largest number (one number per token): max pooling takes, "
                             "for each dimension, the largest value over the kept tokens.",
    "gave_cls_pooling": "You gave the [CLS] row (CLS pooling): this question asks for a different pooling.",
    "gave_mean_pooling": "You averaged the kept rows (mean pooling): this question asks for a different pooling.",
    "gave_max_pooling": "You took the largest value per dimension (max pooling): this question asks for a "
                        "different pooling.",
}
HINT = ("CLS pooling: the first row of H. Mean pooling: the average of the rows whose mask is 1. Max pooling: "
        "for each column, the largest value among the rows whose mask is 1.")

PRIMARY = {"cls": "cls_took_last_row", "mean": "mean_counts_padding", "max": "max_includes_padding"}


def generate(rng: np.random.Generator) -> dict:
    ask = str(rng.choice(ASKS))
    n = int(rng.integers(4, 7))                           # 4 to 6 tokens
    n_pad = 1 if n == 4 else int(rng.integers(1, 3))      # 1 or 2 [PAD] at the end
    words = n - 2 - n_pad                                 # 1 to 3 words
    d = int(rng.integers(3, 5))
    decimal = bool(rng.random() < 0.4)
    sentence = str(rng.choice(SENTENCES[words]))
    while True:
        if decimal:
            h = [[round(float(v), 1) for v in row] for row in rng.uniform(-2.0, 3.0, size=(n, d))]
        else:
            h = [[int(v) for v in row] for row in rng.integers(-3, 6, size=(n, d))]
        p = {"ask": ask, "sentence": sentence, "h": h, "mask": [1] * (n - n_pad) + [0] * n_pad}
        if _mistakes(p)[PRIMARY[ask]] is not None:  # the padding (or the last row) changes the answer
            return p


def tokens(p: dict) -> list[str]:
    n_pad = p["mask"].count(0)
    return ["[CLS]", *p["sentence"].split(), "[SEP]"] + ["[PAD]"] * n_pad


def _h(p: dict) -> np.ndarray:
    return np.array(p["h"], dtype=float)


def _pooled(p: dict):
    return pool(_h(p), np.array(p["mask"]))


def _answer(p: dict) -> np.ndarray:
    return _pooled(p).get(p["ask"])


@per_variant
def _mistakes(p: dict) -> dict[str, np.ndarray | None]:
    """The typical wrong answers, in EXPLAIN order; None where one does not apply to the ask, or equals
    the right answer or an earlier mistake's. Once per variant (grading and MISTAKES ask for them again
    and again); the arrays are shared, so read them only."""
    h = _h(p)
    keep = np.array(p["mask"], dtype=bool)
    k = int(keep.sum())
    kept = h[keep]
    ask = p["ask"]
    right = _pooled(p)
    everything = pool(h)  # no mask: every row, [PAD] included
    candidates = {
        "cls_took_last_row": h[-1] if ask == "cls" else None,
        "cls_took_sep": h[k - 1] if ask == "cls" else None,
        "mean_counts_padding": everything.mean if ask == "mean" else None,
        "divided_by_padded_length": kept.sum(axis=0) / len(h) if ask == "mean" else None,
        "sum_instead_of_mean": kept.sum(axis=0) if ask == "mean" else None,
        "mean_excludes_cls": pool(h[1:k]).mean if ask == "mean" else None,
        "mean_excludes_special_tokens": pool(h[1:k - 1]).mean if ask == "mean" else None,
        "averaged_across_dimensions": kept.mean(axis=1) if ask == "mean" else None,
        "max_includes_padding": everything.max if ask == "max" else None,
        "max_across_dimensions": kept.max(axis=1) if ask == "max" else None,
        "gave_cls_pooling": right.cls if ask != "cls" else None,
        "gave_mean_pooling": right.mean if ask != "mean" else None,
        "gave_max_pooling": right.max if ask != "max" else None,
    }
    return distinct(candidates, _answer(p))


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def _row(values) -> str:
    return " ".join(format_answer(float(v)) for v in values)


def prompt(p: dict) -> str:
    toks = tokens(p)
    n, d = len(toks), len(p["h"][0])
    width = max(len(t) for t in toks)
    lines = [f"{t.ljust(width)}  {_row(row)}   (mask {m})" for t, row, m in zip(toks, p["h"], p["mask"], strict=True)]
    return (f"The sentence \"{p['sentence']}\" is padded to {n} tokens in a batch: {', '.join(toks)}. "
            f"Its last hidden state H has one row of {d} numbers per token; H and the attention mask are shown "
            f"below.\n" + "\n".join(lines) + "\n"
            f"Compute the sentence embedding by {NAMES[p['ask']]}, as sentence-transformers does for a padded "
            f"batch. Give the {d} numbers in order, separated by spaces (with 3 decimals where they are not "
            f"whole).")


def answer_form(p: dict) -> dict:
    return {"kind": "vector", "n": len(p["h"][0])}


def tables(p: dict) -> dict:
    return {"H": p["h"], "attention mask": p["mask"]}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def worked_solution(p: dict) -> str:
    toks = tokens(p)
    h = _h(p)
    keep = np.array(p["mask"], dtype=bool)
    k = int(keep.sum())
    kept_names = ", ".join(toks[:k])
    answer = _answer(p)
    if p["ask"] == "cls":
        return "\n".join([
            "CLS pooling takes the first row of H, the [CLS] token's vector, whatever the mask says about "
            "the other rows.",
            f"Embedding: {format_answer(answer)}."])
    n_pad = len(toks) - k
    padding = "the [PAD] row is" if n_pad == 1 else f"the {n_pad} [PAD] rows are"
    lines = [f"The mask keeps rows 1 to {k} ({kept_names}); {padding} left out."]
    if p["ask"] == "mean":
        total = h[keep].sum(axis=0)
        lines += [f"Add up the kept rows: {format_answer(total)}.",
                  f"Divide by the {k} kept tokens: {format_answer(answer)}."]
    else:
        for j in range(h.shape[1]):
            lines.append(f"Column {j + 1}: max({', '.join(format_answer(float(v)) for v in h[keep, j])}) = "
                         f"{format_answer(float(answer[j]))}.")
        lines.append(f"Embedding: {format_answer(answer)}.")
    return "\n".join(lines)


def grade(p: dict, answer):
    return grade_vector(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
