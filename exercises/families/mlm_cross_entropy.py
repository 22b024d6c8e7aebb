"""Cross-entropy for the masked language model, and the lecture's binary cross-entropy.

Three asks (lecture 9, "Loss Function for Masked Language Model (MLM)"):

    single  one [MASK] with a small table of candidate words and their probabilities (2 decimals, summing
            to at most 1: the rest of the vocabulary shares the remainder) and the original word: the loss
            is -ln p(target), in nats, as BERT and torch.nn.functional.cross_entropy compute it.
    multi   two or three masks in one sentence: BERT's loss is the mean of -ln p(target) over the masks.
    bce     the slide's ICE "What is the loss function for Binary Classification?": labels y in {0, 1}
            and predicted probabilities p = P(y = 1); the loss is -[y ln p + (1 - y) ln(1 - p)], the mean
            over one to four examples.

core.mlm.target_loss computes -ln p from a model's predictions (it needs a tokenizer and imports torch),
so the pure formulas are the private helpers _nll, _mlm_loss and _bce here; the tests hold them against
torch and core.mlm.target_loss.
"""

from __future__ import annotations

import math

import numpy as np

from exercises.formatting import KEEP_PRECISION, format_answer
from exercises.grading import grade_number
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "mlm_cross_entropy"
TITLE = "Cross-entropy of the masked-LM and of binary classification"
TOPIC = "mlm"

ASKS = ("single", "multi", "bce")

# Sentences and, per [MASK], words that fit it (lower case: bert-base-uncased's vocabulary).
SINGLE = (
    ("I am having a [MASK] day. So I need to take a break.", (("bad", "long", "busy", "good", "great"),)),
    ("The cat sat on the [MASK].", (("mat", "floor", "bed", "sofa", "chair"),)),
    ("Paris is the capital of [MASK].", (("france", "europe", "italy", "spain"),)),
    ("She poured a cup of [MASK] before work.", (("coffee", "tea", "water", "milk", "juice"),)),
    ("He opened the [MASK] and walked into the room.", (("door", "window", "gate", "box"),)),
    ("It was raining, so she took her [MASK].", (("umbrella", "coat", "car", "jacket", "bag"),)),
    ("The students listened to the [MASK] in the lecture hall.", (("professor", "teacher", "speaker", "music"),)),
)
MULTI = (
    ("The [MASK] sat on the [MASK].", (("cat", "dog", "man", "boy"), ("mat", "floor", "bed", "chair"))),
    ("I am having a [MASK] day, so I need to take a [MASK].",
     (("bad", "long", "busy", "good"), ("break", "nap", "walk", "rest"))),
    ("The [MASK] of France is [MASK].", (("capital", "president", "language", "king"), ("paris", "lyon", "french"))),
    ("She [MASK] a cup of [MASK] every [MASK].",
     (("drinks", "makes", "has", "orders"), ("coffee", "tea", "water"), ("morning", "day", "evening", "night"))),
    ("The [MASK] barked at the [MASK] all [MASK].",
     (("dog", "puppy", "wolf"), ("cat", "moon", "door", "mailman"), ("night", "day", "morning"))),
)

EXPLAIN = {
    "log10": "You used log base 10: the cross-entropy loss uses the natural log, ln (log base e).",
    "log2": "You used log base 2 (bits): the cross-entropy loss here uses the natural log, ln (nats).",
    "forgot_minus": "Your loss is negative: you left out the minus sign. The loss is −ln p, and ln p < 0 for "
                    "p < 1, so the loss is positive.",
    "used_top_prediction": "You took −ln p of the model's most probable word: the loss uses the probability the "
                           "model gave the original (target) word, whichever word it ranked first.",
    "probability_not_loss": "You gave the probability itself: the loss is −ln of the probability of the right "
                            "answer, not the probability.",
    "binary_terms_added": "You added −ln(1 − p) for the other words, as in the binary formula on the slide: with a "
                          "softmax over the vocabulary the loss at a mask is only −ln p(target).",
    "sum_instead_of_mean": "You added the losses: the loss is their mean, the sum divided by how many there are.",
    "only_first_mask": "You gave the loss of the first mask only: average −ln p(target) over every masked "
                       "position.",
    "log_of_mean": "You averaged the probabilities and then took −ln: take −ln p at each mask first, then average "
                   "the losses.",
    "swapped_y": "You swapped the two cases: for y = 1 the loss is −ln p, and for y = 0 it is −ln(1 − p), where "
                 "p is the predicted probability of class 1.",
    "only_positive_term": "You kept only the y·ln p term: for y = 0 the loss is −ln(1 − p), the (1 − y)·ln(1 − p) "
                          "term, not 0.",
}
HINT = ("Cross-entropy uses the natural log of the probability the model gave the right answer: −ln p(target) at a "
        "mask (averaged over the masks), and −[y·ln p + (1 − y)·ln(1 − p)] for binary classification "
        "(averaged over the examples).")


# ---------------------------------------------------------------------------------------------
# the formulas


def _nll(p: float) -> float:
    """-ln p: the cross-entropy of a one-hot truth against a predicted distribution giving p to the truth."""
    return -math.log(p)


def _mlm_loss(target_probs) -> float:
    """BERT's masked-LM loss over the masked positions: the mean of -ln p(target)."""
    return float(np.mean([_nll(p) for p in target_probs]))


def _bce(ys, ps) -> float:
    """Binary cross-entropy, mean over examples: -[y ln p + (1 - y) ln(1 - p)], p = P(y = 1)."""
    return float(np.mean([-(y * math.log(p) + (1 - y) * math.log(1 - p)) for y, p in zip(ys, ps, strict=True)]))


# ---------------------------------------------------------------------------------------------
# variants


def _split(rng: np.random.Generator, k: int) -> list[float]:
    """k distinct probabilities in hundredths, descending, each >= 0.03, summing to 0.70..1.00."""
    while True:
        total = int(rng.integers(70, 101))
        cuts = np.sort(rng.choice(np.arange(1, total), size=k - 1, replace=False))
        parts = np.diff(np.concatenate([[0], cuts, [total]]))
        if parts.min() >= 3 and len(set(parts.tolist())) == k:
            return [round(int(c) / 100, 2) for c in sorted(parts.tolist(), reverse=True)]


def _mask(rng: np.random.Generator, words: tuple[str, ...]) -> dict:
    k = int(rng.integers(3, min(4, len(words)) + 1))
    chosen = [words[int(i)] for i in rng.choice(len(words), size=k, replace=False)]
    return {"words": chosen, "probs": _split(rng, k), "target": chosen[int(rng.integers(k))]}


def generate(rng: np.random.Generator) -> dict:
    ask = ASKS[int(rng.integers(len(ASKS)))]
    if ask == "bce":
        n = int(rng.integers(1, 5))
        ys = [int(y) for y in rng.integers(0, 2, size=n)]
        ps = [round(int(c) / 100, 2) for c in rng.integers(5, 96, size=n)]
        return {"ask": ask, "y": ys, "p": ps}
    bank = SINGLE if ask == "single" else MULTI
    sentence, candidates = bank[int(rng.integers(len(bank)))]
    return {"ask": ask, "sentence": sentence, "masks": [_mask(rng, words) for words in candidates]}


FIXED = {
    # the lecture's own sentence: "I am having a _____ day. So I need to take a break mask → ? → "bad""
    "lecture": {"ask": "single", "sentence": "I am having a [MASK] day. So I need to take a break.",
                "masks": [{"words": ["long", "bad", "busy", "good"], "probs": [0.4, 0.25, 0.15, 0.1],
                           "target": "bad"}]},
    "lecture_bce": {"ask": "bce", "y": [1, 0], "p": [0.8, 0.3]},
}


# ---------------------------------------------------------------------------------------------
# answers


def _target_probs(p: dict) -> list[float]:
    return [m["probs"][m["words"].index(m["target"])] for m in p["masks"]]


def _answer(p: dict) -> float:
    if p["ask"] == "bce":
        return _bce(p["y"], p["p"])
    return _mlm_loss(_target_probs(p))


@per_variant
def _mistakes(p: dict) -> dict[str, float | None]:
    """The typical wrong answers, in EXPLAIN order; None where one equals the right answer or an
    earlier mistake's. Once per variant: MISTAKES and grade ask for them again and again."""
    right = _answer(p)
    if p["ask"] == "bce":
        ys, ps = p["y"], p["p"]
        n = len(ys)
        mine = [-(y * math.log(q) + (1 - y) * math.log(1 - q)) for y, q in zip(ys, ps, strict=True)]
        candidates = {
            "log10": right / math.log(10),
            "log2": right / math.log(2),
            "forgot_minus": -right,
            "probability_not_loss": float(np.mean([q if y == 1 else 1 - q for y, q in zip(ys, ps, strict=True)])),
            "sum_instead_of_mean": float(sum(mine)) if n > 1 else None,
            "swapped_y": _bce([1 - y for y in ys], ps),
            "only_positive_term": float(np.mean([-y * math.log(q) for y, q in zip(ys, ps, strict=True)])),
        }
    else:
        targets = _target_probs(p)
        tops = [max(m["probs"]) for m in p["masks"]]
        binary = [_nll(pt) - sum(math.log(1 - q) for w, q in zip(m["words"], m["probs"], strict=True) if w != m["target"])
                  for m, pt in zip(p["masks"], targets, strict=True)]
        multi = p["ask"] == "multi"
        candidates = {
            "log10": right / math.log(10),
            "log2": right / math.log(2),
            "forgot_minus": -right,
            "used_top_prediction": _mlm_loss(tops),
            "probability_not_loss": float(np.mean(targets)),
            "binary_terms_added": float(np.mean(binary)),
            "sum_instead_of_mean": float(sum(_nll(q) for q in targets)) if multi else None,
            "only_first_mask": _nll(targets[0]) if multi else None,
            "log_of_mean": _nll(float(np.mean(targets))) if multi else None,
        }
    return distinct(candidates, right, names=EXPLAIN)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


# ---------------------------------------------------------------------------------------------
# what the student sees


def _table(m: dict) -> str:
    return ", ".join(f"{w} {q:.2f}" for w, q in zip(m["words"], m["probs"], strict=True))


def prompt(p: dict) -> str:
    tail = f" Use the natural log (ln). {KEEP_PRECISION} Give one number with at least 3 decimals."
    if p["ask"] == "bce":
        n = len(p["y"])
        if n == 1:
            return (f"A binary classifier predicts p = P(y = 1) = {p['p'][0]:.2f} for an example whose "
                    f"true label is y = {p['y'][0]}. What is the binary cross-entropy loss of this prediction (the "
                    f"loss function for binary classification)?" + tail)
        pairs = "\n".join(f"  example {i + 1}: y = {y}, p = {q:.2f}"
                          for i, (y, q) in enumerate(zip(p["y"], p["p"], strict=True)))
        return (f"A binary classifier predicts p = P(y = 1) for {n} examples with true labels y (shown below):\n"
                f"{pairs}\nWhat is the binary cross-entropy loss (the loss function for binary classification), "
                f"averaged over the {n} examples?" + tail)
    masks = p["masks"]
    if p["ask"] == "single":
        m = masks[0]
        return (f"BERT reads \"{p['sentence']}\" At the [MASK] its softmax over the vocabulary gives these "
                f"probabilities (the other words of the vocabulary share the rest):\n  {_table(m)}\n"
                f"The original (masked) word was \"{m['target']}\". What is the masked-LM cross-entropy loss at "
                f"this position, −ln p(target), where p(target) is the probability of the original word?" + tail)
    tables = "\n".join(f"  [MASK] {i + 1}: {_table(m)}" for i, m in enumerate(masks))
    targets = " and ".join(f"\"{m['target']}\" (mask {i + 1})" for i, m in enumerate(masks))
    return (f"BERT reads \"{p['sentence']}\" At each [MASK] its softmax over the vocabulary gives these "
            f"probabilities (the other words share the rest):\n{tables}\nThe original words were {targets}. What is "
            f"the masked-LM loss of this sentence, the cross-entropy −ln p(target) averaged over its {len(masks)} "
            f"masked positions (as BERT computes it)?" + tail)


def answer_form(p: dict) -> dict:
    return {"kind": "number"}


def tables(p: dict) -> dict:
    """The labels and predictions of the binary asks; the MLM tables are words with numbers, in the prompt."""
    return {"y": list(p["y"]), "p": list(p["p"])} if p["ask"] == "bce" else {}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def worked_solution(p: dict) -> str:
    lines = []
    if p["ask"] == "bce":
        losses = []
        for i, (y, q) in enumerate(zip(p["y"], p["p"], strict=True)):
            loss = _bce([y], [q])
            losses.append(loss)
            term = f"−ln({format_answer(q)})" if y == 1 else f"−ln(1 − {format_answer(q)}) = −ln({format_answer(1 - q)})"
            lines.append(f"Example {i + 1}: y = {y}, so the loss is {term} = {format_answer(loss)}.")
        if len(losses) > 1:
            lines.append(f"Mean over the {len(losses)} examples: ({' + '.join(format_answer(v) for v in losses)}) "
                         f"/ {len(losses)} = {format_answer(_answer(p))}.")
        return "\n".join(["Binary cross-entropy: −[y·ln p + (1 − y)·ln(1 − p)], p = P(y = 1)."] + lines)
    lines.append("The masked-LM loss at a mask is −ln p(original word), the natural log of the probability the "
                 "model gave the word that was masked.")
    losses = []
    for i, (m, q) in enumerate(zip(p["masks"], _target_probs(p), strict=True)):
        losses.append(_nll(q))
        where = "At the mask" if len(p["masks"]) == 1 else f"Mask {i + 1}"
        lines.append(f"{where}: p(\"{m['target']}\") = {format_answer(q)}, so −ln({format_answer(q)}) = "
                     f"{format_answer(losses[-1])}.")
    if len(losses) > 1:
        lines.append(f"Mean over the {len(losses)} masks: ({' + '.join(format_answer(v) for v in losses)}) / "
                     f"{len(losses)} = {format_answer(_answer(p))}.")
    return "\n".join(lines)


def grade(p: dict, answer):
    return grade_number(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
