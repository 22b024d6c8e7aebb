"""Embedding dimensions of BERT's last hidden layer (ICE #3 of lecture 8, the emotion-detection ICE of
lecture 9).

A sentence of w words becomes n sub-tokens as input into BERT ([CLS] and [SEP] included, as in the
lecture's "20 sub-tokens as input into the BERT model", whose last hidden layer is 20 × 768 = 15,360);
each token's embedding has d numbers. One of five questions (`ask`):

    pooled      the dimension of the mean-pooled embedding (the average)  d
    cls         the dimension of the CLS (start token) embedding         d
    total       the total dimension of the last hidden layer             n·d numbers
    shape       the shape of the last hidden layer                       n × d (1 × n × d, with the batch, too)
    all_three   the ICE's a), b), c) together, typed                     d, d, n·d
    choice      the ICE as the lecture asks it: one of four options      "d, d and n·d"

core.embeddings.ice3_dimensions gives the answers. Dimensions are whole numbers, graded exactly
(REL_EXACT, ABS_EXACT): the default 1 % tolerance would take 15,300 for 15,360.
"""

from __future__ import annotations

import re

import numpy as np

from core.embeddings import ICE3_OPTIONS, ICE3_SENTENCE, LECTURE_ICE3, ice3_dimensions
from exercises.choices import format_choices, grade_choice
from exercises.examples import SHAPE_EXAMPLE
from exercises.feedback import AnswerError
from exercises.formatting import format_answer
from exercises.grading import grade_number, grade_shape, grade_vector
from exercises.mistakes import distinct, typed_mistakes
from exercises.parse import parse_shape

ID = "embedding_dims"
TITLE = "Embedding dimensions of BERT's last hidden layer"
TOPIC = "embeddings"

D_MODELS = (128, 256, 384, 512, 768, 1024)
ASKS = ("pooled", "cls", "total", "shape", "all_three", "choice")
REL_EXACT = 0.0  # whole numbers: graded exactly
ABS_EXACT = 1e-6
N_SPECIAL = 2  # [CLS] and [SEP]

_LECTURE = {"n_words": LECTURE_ICE3["n_words"], "n_tokens": LECTURE_ICE3["n_tokens"], "d": LECTURE_ICE3["d"],
            "sentence": ICE3_SENTENCE}
# the lecture's options, in its order and with its digits ("15630" in options 1 and 3), and the
# misconception each wrong one stands for; option 4 is right
_LECTURE_OPTIONS = {"options": list(ICE3_OPTIONS),
                    "option_mistakes": ["cls_and_total_swapped", "one_vector_for_total", "flattened_for_pooled", None]}
FIXED = {
    "lecture": {"ask": "choice", **_LECTURE, **_LECTURE_OPTIONS},  # the ICE itself: option 4, 768, 768 and 15360
    "lecture_all_three": {"ask": "all_three", **_LECTURE},
    "lecture_pooled": {"ask": "pooled", **_LECTURE},
    "lecture_cls": {"ask": "cls", **_LECTURE},
    "lecture_total": {"ask": "total", **_LECTURE},
    "lecture_shape": {"ask": "shape", **_LECTURE},
}

EXPLAIN = {
    "flattened_for_pooled": "You gave n × d, the size of the whole last hidden layer: the pooled (or CLS) embedding "
                            "is a single vector of d numbers, however many tokens there are.",
    "n_instead_of_d": "You gave the number of tokens: one embedding (pooled or CLS) has d numbers, the embedding "
                      "dimension, whatever the number of tokens.",
    "cls_and_total_swapped": "You swapped b) and c): the CLS embedding is one token's vector of d numbers, and the "
                             "last hidden layer holds one such vector for every token, n × d numbers.",
    "one_vector_for_total": "You gave one token's embedding: the last hidden layer holds an embedding for every "
                            "token, so it has n × d numbers.",
    "words_instead_of_subtokens": "You counted words: BERT reads sub-tokens (WordPiece pieces, [CLS] and [SEP] "
                                  "included), and the last hidden layer has one embedding per sub-token.",
    "added_special_tokens": "You added [CLS] and [SEP] again: the sub-token count given already includes them.",
    "removed_special_tokens": "You left out [CLS] and [SEP]: they are input tokens too, and the last hidden layer "
                              "has an embedding for each of them.",
    "added_instead_of_multiplied": "You added n and d: the last hidden layer has n embeddings of d numbers each, "
                                   "n × d numbers in all.",
    "transposed": "You swapped the two dimensions: the last hidden layer has one row per token, n × d.",
    "flattened_shape": "You gave the number of values, not the shape: the last hidden layer keeps tokens and "
                       "dimensions apart, n × d.",
}
# the lecture's choice: why an option is wrong, without the numbers that would name the right one
CHOICE_EXPLAIN = {
    "cls_and_total_swapped": "This option swaps b) and c): the CLS embedding is the vector of one token, while the "
                             "last hidden layer holds a vector for every token.",
    "one_vector_for_total": "This option gives c) as the size of one token's embedding: the last hidden layer holds "
                            "an embedding for every token.",
    "flattened_for_pooled": "This option gives a) as the size of the whole last hidden layer: the pooled embedding "
                            "is a single vector, however many tokens there are.",
}
HINT = ("Every sub-token that goes into BERT ([CLS] and [SEP] included) gets one embedding of d numbers in the last "
        "hidden layer, so the layer is n × d. The CLS embedding (the lecture also calls it the pooled embedding) is "
        "the first of those vectors, and the mean-pooled embedding (the average over the tokens) is one vector of "
        "d numbers too.")


def generate(rng: np.random.Generator) -> dict:
    n_words = int(rng.integers(5, 26))
    extra = int(rng.integers(1, n_words // 2 + 2))  # words split into several WordPiece pieces
    d = int(rng.choice(D_MODELS))
    ask = str(rng.choice(ASKS))
    p = {"ask": ask, "n_words": n_words, "n_tokens": n_words + extra + N_SPECIAL, "d": d, "sentence": None}
    if ask == "choice":  # the lecture's four options, with this variant's numbers, shuffled
        total = p["n_tokens"] * d
        options = [(f"{d}, {total} and {d}", "cls_and_total_swapped"), (f"{d}, {d} and {d}", "one_vector_for_total"),
                   (f"{total}, {d} and {total}", "flattened_for_pooled"), (f"{d}, {d} and {total}", None)]
        order = [int(i) for i in rng.permutation(len(options))]
        p["options"] = [options[i][0] for i in order]
        p["option_mistakes"] = [options[i][1] for i in order]
    return p


def _dims(p: dict) -> dict:
    return ice3_dimensions(p["n_tokens"], p["d"])


def _answer(p: dict):
    dims = _dims(p)
    return {
        "pooled": dims["pooled"],
        "cls": dims["cls"],
        "total": dims["total"],
        "shape": tuple(dims["shape"]),
        "all_three": [dims["pooled"], dims["cls"], dims["total"]],
        "choice": f"{dims['pooled']}, {dims['cls']} and {dims['total']}",
    }[p["ask"]]


def _candidates(p: dict) -> dict:
    n, d, w = p["n_tokens"], p["d"], p["n_words"]
    s = N_SPECIAL
    ask = p["ask"]
    c: dict = dict.fromkeys(EXPLAIN)
    if ask == "choice":  # the option (its index) each misconception picks
        for i, name in enumerate(p["option_mistakes"]):
            if name is not None:
                c[name] = i
        return c
    if ask in ("pooled", "cls"):
        c["flattened_for_pooled"] = n * d
        c["n_instead_of_d"] = n
    elif ask == "total":
        c["one_vector_for_total"] = d
        c["words_instead_of_subtokens"] = w * d
        c["added_special_tokens"] = (n + s) * d
        c["removed_special_tokens"] = (n - s) * d
        c["added_instead_of_multiplied"] = n + d
    elif ask == "shape":
        c["one_vector_for_total"] = (d,)
        c["words_instead_of_subtokens"] = (w, d)
        c["added_special_tokens"] = (n + s, d)
        c["removed_special_tokens"] = (n - s, d)
        c["transposed"] = (d, n)
        c["flattened_shape"] = (n * d,)
    else:  # all_three: what a person with each misconception answers to a), b) and c); the lecture's
        # distractors are cls_and_total_swapped (option 1), one_vector_for_total (option 2) and
        # flattened_for_pooled (option 3)
        c["flattened_for_pooled"] = [n * d, d, n * d]
        c["n_instead_of_d"] = [n, n, n * d]
        c["cls_and_total_swapped"] = [d, n * d, d]
        c["one_vector_for_total"] = [d, d, d]
        c["words_instead_of_subtokens"] = [d, d, w * d]
        c["added_special_tokens"] = [d, d, (n + s) * d]
        c["removed_special_tokens"] = [d, d, (n - s) * d]
        c["added_instead_of_multiplied"] = [d, d, n + d]
    return c


def _mistakes(p: dict) -> dict:
    """The typical wrong answers, in MISTAKES order; None where one equals the right answer or an
    earlier mistake's, or does not apply to this ask."""
    right = _answer(p)
    if p["ask"] == "choice":  # each wrong option stands for one mistake
        right = p["options"].index(right)
    return distinct(_candidates(p), right, rel=REL_EXACT, abs_=ABS_EXACT)  # shapes too: exact


def _typed(p: dict, value) -> str:
    """A mistake's value as the student types it: an option's text, or format_answer's text."""
    return p["options"][value] if p["ask"] == "choice" else format_answer(value)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN, _typed)


def prompt(p: dict) -> str:
    n, d, w = p["n_tokens"], p["d"], p["n_words"]
    sentence = f"\"{p['sentence']}\" " if p.get("sentence") else ""
    setup = (f"You fine-tune BERT for emotion detection, starting from its last hidden layer. The input sentence "
             f"{sentence}has {w} words; WordPiece tokenization turns it into {n} sub-tokens as input into the BERT "
             f"model ([CLS] and [SEP] included). The last hidden layer holds an embedding for every token, and the "
             f"embedding dimension of a token is {d}. ")
    number = " Give one whole number."
    if p["ask"] in ("all_three", "choice"):  # the lecture's words: the CLS embedding is the pooled one
        setup += ("For emotion detection you can either use the CLS (start token) embedding, also called the pooled "
                  "embedding, or take the average of the tokens' embeddings in the last hidden layer. ")
    return setup + {
        "pooled": "What is the dimension of the mean-pooled embedding of this input (the average of the tokens' "
                  "embeddings in the last hidden layer)?" + number,
        "cls": "What is the dimension of the CLS (start token) embedding of this input?" + number,
        "total": "What is the total dimension of the last hidden layer, that is, how many numbers does it hold for "
                 "this input?" + number,
        "shape": "What is the shape of the last hidden layer for this one input (tokens by dimensions, leaving out "
                 f"the batch)? Type it like {SHAPE_EXAMPLE}.",
        "all_three": "a) What is the dimension of the pooled BERT embedding of this input? b) What is the dimension "
                     "of the CLS/start token embedding? c) What is the total dimension of the last hidden layer "
                     "(how many numbers it holds)? Give the three whole numbers in order, separated by spaces "
                     "or commas.",
        "choice": "a) What is the dimension of the pooled BERT embedding of this input? b) What is the dimension of "
                  "the CLS/start token embedding in this example? c) What is the total dimension of the last hidden "
                  "layer? Choose the option that gives a), b) and c):\n" + format_choices(p.get("options") or [])
                  + "\nAnswer with the option's letter, number or text.",
    }[p["ask"]]


def answer_form(p: dict) -> dict:
    if p["ask"] == "choice":
        return {"kind": "choice", "options": list(p["options"])}
    return {"shape": {"kind": "shape"}, "all_three": {"kind": "vector", "n": 3}}.get(p["ask"], {"kind": "number"})


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def worked_solution(p: dict) -> str:
    n, d = p["n_tokens"], p["d"]
    dims = _dims(p)
    lines = [f"BERT reads the {n} sub-tokens ([CLS] and [SEP] are among them) and its last hidden layer holds one "
             f"embedding of {d} numbers for each: it is {n} × {d}."]
    ask = p["ask"]
    if ask in ("pooled", "all_three", "choice"):
        lines.append(f"The pooled embedding (the CLS vector, which the lecture calls the pooled embedding, or the "
                     f"mean of the {n} token embeddings, dimension by dimension) is one vector of "
                     f"{dims['pooled']} numbers." if ask != "pooled" else
                     f"The mean-pooled embedding averages the {n} token embeddings dimension by dimension: one "
                     f"vector of {dims['pooled']} numbers.")
    if ask in ("cls", "all_three", "choice"):
        lines.append(f"The CLS embedding is the first token's vector: {dims['cls']} numbers.")
    if ask in ("total", "all_three", "choice"):
        lines.append(f"The whole last hidden layer holds {n} × {d} = {dims['total']:,} numbers.")
    if ask == "shape":
        lines.append(f"Its shape is {n} x {d} (HuggingFace returns 1 x {n} x {d}, with a batch of one sentence).")
    if ask in ("all_three", "choice"):
        lines.append(f"Answers: {dims['pooled']}, {dims['cls']} and {dims['total']}.")
    if ask == "choice":
        right = p["options"].index(_answer(p))
        lines.append(f"That is option {chr(ord('A') + right)}) {p['options'][right]}.")
    return "\n".join(lines)


_AND = re.compile(r"\s*(?:,\s*)?\band\b\s*", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # 15,360: a comma between digits, 3 digits after it


def grade(p: dict, answer):
    ask = p["ask"]
    right = _answer(p)
    if ask == "choice":
        return grade_choice(p["options"].index(right), answer, p["options"], lambda: _mistakes(p), CHOICE_EXPLAIN,
                            hint=HINT)
    if ask == "shape":
        try:  # the batch dimension of one sentence, as HuggingFace returns it, is right too
            if parse_shape(answer) == (1, *right):
                answer = right
        except AnswerError:  # unreadable: grade_shape says why
            pass
        return grade_shape(right, answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
    if ask == "all_three":
        if isinstance(answer, str):  # "768, 768 and 15360", as the lecture's options read
            answer = _AND.sub(" ", answer)
        fb = grade_vector(right, answer, lambda: _mistakes(p), EXPLAIN, rel=REL_EXACT, abs_=ABS_EXACT, hint=HINT)
        if not fb.valid and isinstance(answer, str) and _THOUSANDS.search(answer):  # "768 768 15,360"
            return grade_vector(right, _THOUSANDS.sub("", answer), lambda: _mistakes(p), EXPLAIN, rel=REL_EXACT,
                                abs_=ABS_EXACT, hint=HINT)
        return fb
    return grade_number(right, answer, lambda: _mistakes(p), EXPLAIN, rel=REL_EXACT, abs_=ABS_EXACT, hint=HINT)
