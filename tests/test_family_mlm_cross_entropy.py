"""The mlm_cross_entropy family: check_family, the lecture's sentence, every mistake named, and the answers
held against torch's cross-entropy, torch's binary cross-entropy and core.mlm.target_loss."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.base import check_family
from exercises.families import mlm_cross_entropy as fam

SEEDS = range(300)


def test_passes_check_family():
    check_family(fam)


def test_every_ask_comes_up():
    asks = {fam.generate(np.random.default_rng(s))["ask"] for s in range(50)}
    assert asks == set(fam.ASKS)


def test_lecture_sentence():
    # Lecture 9, "BERT pre-training": "I am having a _____ day. So I need to take a break mask → ? → "bad""
    p = fam.FIXED["lecture"]
    text = fam.prompt(p)
    assert "I am having a [MASK] day. So I need to take a break." in text
    assert "long 0.40, bad 0.25, busy 0.15, good 0.10" in text and '"bad"' in text and "natural log" in text
    assert fam.solve(p) == "1.3863"  # −ln 0.25
    assert fam.grade(p, "1.386").correct
    assert fam.MISTAKES["used_top_prediction"](p) == "0.9163"  # −ln 0.40, the model's first choice "long"
    assert "−ln(0.25) = 1.3863" in fam.worked_solution(p)
    # the slide's ICE "What is the loss function for Binary Classification?" on two examples
    q = fam.FIXED["lecture_bce"]
    assert fam.solve(q) == format(-(math.log(0.8) + math.log(0.7)) / 2, ".4f")
    assert fam.tables(q) == {"y": [1, 0], "p": [0.8, 0.3]}


MULTI = {"ask": "multi", "sentence": "The [MASK] sat on the [MASK].",
         "masks": [{"words": ["dog", "cat", "man"], "probs": [0.5, 0.3, 0.1], "target": "cat"},
                   {"words": ["mat", "floor", "bed"], "probs": [0.6, 0.2, 0.1], "target": "floor"}]}
BCE = {"ask": "bce", "y": [1, 0, 1], "p": [0.7, 0.2, 0.4]}


@pytest.mark.parametrize("p, expected", [
    (MULTI, {"log10": (-math.log10(0.3) - math.log10(0.2)) / 2,
             "log2": (-math.log2(0.3) - math.log2(0.2)) / 2,
             "forgot_minus": (math.log(0.3) + math.log(0.2)) / 2,
             "used_top_prediction": (-math.log(0.5) - math.log(0.6)) / 2,
             "probability_not_loss": 0.25,
             "binary_terms_added": (-math.log(0.3) - math.log(0.5) - math.log(0.9)
                                    - math.log(0.2) - math.log(0.4) - math.log(0.9)) / 2,
             "sum_instead_of_mean": -math.log(0.3) - math.log(0.2),
             "only_first_mask": -math.log(0.3),
             "log_of_mean": -math.log(0.25)}),
    (BCE, {"log10": -(math.log10(0.7) + math.log10(0.8) + math.log10(0.4)) / 3,
           "log2": -(math.log2(0.7) + math.log2(0.8) + math.log2(0.4)) / 3,
           "forgot_minus": (math.log(0.7) + math.log(0.8) + math.log(0.4)) / 3,
           "probability_not_loss": (0.7 + 0.8 + 0.4) / 3,
           "sum_instead_of_mean": -(math.log(0.7) + math.log(0.8) + math.log(0.4)),
           "swapped_y": -(math.log(0.3) + math.log(0.2) + math.log(0.6)) / 3,
           "only_positive_term": -(math.log(0.7) + math.log(0.4)) / 3}),
])
def test_each_mistake_is_named(p, expected):
    for name in fam.EXPLAIN:
        typed = fam.MISTAKES[name](p)
        if name not in expected:
            assert typed is None, name
            continue
        assert float(typed) == pytest.approx(expected[name], abs=1e-4), name
        fb = fam.grade(p, typed)
        assert fb.valid and fb.score == 0 and fb.mistake == name and fb.message == fam.EXPLAIN[name]
        assert fb.hint == fam.HINT


def test_mistakes_of_a_single_mask():
    p = fam.FIXED["lecture"]  # target "bad" 0.25; others long 0.40, busy 0.15, good 0.10
    assert fam.grade(p, "0.602").mistake == "log10"       # −log10 0.25
    assert fam.grade(p, "2").mistake == "log2"            # −log2 0.25
    assert fam.grade(p, "-1.386").mistake == "forgot_minus"
    assert fam.grade(p, "0.25").mistake == "probability_not_loss"
    assert fam.grade(p, "0.9163").mistake == "used_top_prediction"
    binary = -math.log(0.25) - math.log(0.6) - math.log(0.85) - math.log(0.9)
    assert fam.grade(p, f"{binary:.4f}").mistake == "binary_terms_added"
    for name in ("sum_instead_of_mean", "only_first_mask", "log_of_mean", "swapped_y", "only_positive_term"):
        assert fam.MISTAKES[name](p) is None
    # the target is the top prediction: used_top_prediction is the right answer, so no mistake
    top = {**p, "masks": [{**p["masks"][0], "target": "long"}]}
    assert fam.MISTAKES["used_top_prediction"](top) is None and fam.grade(top, "0.916").correct


def test_typed_forms():
    p = fam.FIXED["lecture"]
    for typed in ["1.3863", " 1.386 ", "≈ 1.39", "~1.386", "1.386294", "13863/10000"]:
        assert fam.grade(p, typed).correct, typed
    for junk in ["", "ln 4", "1,38", "nan", "banana", "9" * 10_000]:
        fb = fam.grade(p, junk)
        assert not fb.valid and fb.message
    assert not fam.grade(p, "1.2").correct and fam.grade(p, "1.2").mistake is None


def test_bce_swap_and_one_term_on_one_example():
    y1 = {"ask": "bce", "y": [1], "p": [0.9]}
    assert fam.solve(y1) == "0.1054"
    assert fam.grade(y1, "2.3026").mistake == "swapped_y"  # −ln(1 − 0.9) for y = 1
    assert fam.MISTAKES["only_positive_term"](y1) is None  # y = 1: the y·ln p term is the whole loss
    y0 = {"ask": "bce", "y": [0], "p": [0.9]}
    assert fam.solve(y0) == "2.3026"
    assert fam.grade(y0, "0").mistake == "only_positive_term"
    assert fam.grade(y0, "0.1054").mistake == "swapped_y"
    assert "−ln(1 − 0.9) = −ln(0.1) = 2.3026" in fam.worked_solution(y0)


# ---------------------------------------------------------------------------------------------
# independent references


def _distribution(mask: dict, n_other: int = 5) -> tuple[list[str], np.ndarray]:
    """The shown words with their probabilities, plus n_other filler words sharing the rest."""
    rest = max(0.0, 1.0 - sum(mask["probs"]))
    words = list(mask["words"]) + [f"other{i}" for i in range(n_other)]
    probs = np.array(list(mask["probs"]) + [rest / n_other] * n_other)
    return words, probs


def test_mlm_answers_equal_torch_cross_entropy():
    checked = 0
    for seed in SEEDS:
        p = fam.generate(np.random.default_rng(seed))
        if p["ask"] == "bce":
            continue
        logits, targets = [], []
        for m in p["masks"]:
            words, probs = _distribution(m, n_other=8 - len(m["words"]))  # 8 entries each, to stack them
            logits.append(torch.log(torch.tensor(probs + 1e-300, dtype=torch.float64)))  # softmax(log p) = p
            targets.append(words.index(m["target"]))
        # BERT's loss: cross-entropy of each mask's distribution, mean over the masked positions
        ce = F.cross_entropy(torch.stack(logits), torch.tensor(targets), reduction="mean").item()
        assert float(fam.solve(p)) == pytest.approx(ce, abs=1e-4)
        assert fam._answer(p) == pytest.approx(ce, rel=1e-9)
        checked += 1
    assert checked > 100


def test_bce_answers_equal_torch_binary_cross_entropy():
    checked = 0
    for seed in SEEDS:
        p = fam.generate(np.random.default_rng(seed))
        if p["ask"] != "bce":
            continue
        ref = F.binary_cross_entropy(torch.tensor(p["p"], dtype=torch.float64),
                                     torch.tensor(p["y"], dtype=torch.float64)).item()
        assert fam._answer(p) == pytest.approx(ref, rel=1e-9)
        slow = 0.0  # the slide's formula, one example at a time
        for y, q in zip(p["y"], p["p"], strict=True):
            slow += -(y * math.log(q) + (1 - y) * math.log(1 - q))
        assert fam._answer(p) == pytest.approx(slow / len(p["y"]), rel=1e-12)
        checked += 1
    assert checked > 50


def test_single_mask_equals_core_target_loss(tmp_path):
    from transformers import BertTokenizer

    from core.mlm import MaskPrediction, MaskPredictions, target_loss

    others = [f"other{i}" for i in range(5)]
    bank = sorted({w for _, masks in fam.SINGLE + fam.MULTI for words in masks for w in words})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + bank + others
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tok = BertTokenizer(vocab=str(tmp_path / "vocab.txt"))  # as tests/tiny_models.py builds one
    checked = 0
    for seed in range(150):
        p = fam.generate(np.random.default_rng(seed))
        if p["ask"] == "bce":
            continue
        losses = []
        for m in p["masks"]:
            words, probs = _distribution(m)
            dist = np.zeros(len(vocab))
            for w, q in zip(words, probs, strict=True):
                dist[vocab.index(w)] += q
            with np.errstate(divide="ignore"):
                lp = np.log(dist)
            top = np.argsort(-lp, kind="stable")[:3]
            pred = MaskPrediction(number=1, index=1, top_ids=top, top_tokens=tuple(vocab[i] for i in top),
                                  top_probs=np.exp(lp[top]), log_probs=lp)
            preds = MaskPredictions(text="", tokens=["[CLS]", "[MASK]", "[SEP]"], input_ids=np.array([2, 4, 3]),
                                    attentions=np.zeros((1, 1, 3, 3)), masks=(pred,), notices=(), truncated=False,
                                    tokenizer=tok)
            losses.append(target_loss(preds, 1, m["target"]).nats)
        assert fam._answer(p) == pytest.approx(float(np.mean(losses)), rel=1e-9)
        checked += 1
    assert checked > 50


def test_mlm_prompts_name_the_loss():
    """The masked-LM asks say which loss: −ln p(target) (the slide's binary form is the bce ask's own question)."""
    seen = set()
    for seed in range(200):
        p = fam.generate(np.random.default_rng(seed))
        if p["ask"] in ("single", "multi"):
            assert "−ln p(target)" in fam.prompt(p)
            seen.add(p["ask"])
        else:
            assert "binary cross-entropy" in fam.prompt(p)
    assert seen == {"single", "multi"}
