"""The pooling family: check_family, a worked variant with every mistake named, typed forms, and the
answer against sentence-transformers' own Pooling module over many seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from exercises.base import check_family
from exercises.families import pooling

# [CLS] the cat sat [SEP] [PAD]: the [PAD] row is large, so counting it changes mean and max
H = [[2, 0, 1], [1, 3, -1], [0, 1, 2], [3, -2, 0], [-1, 2, 3], [5, 5, -4]]
MASK = [1, 1, 1, 1, 1, 0]


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def variant(ask: str) -> dict:
    return {"ask": ask, "sentence": "the cat sat", "h": H, "mask": MASK}


def test_passes_check_family():
    check_family(pooling)


def test_answers_of_the_worked_variant():
    assert pooling.tokens(variant("mean")) == ["[CLS]", "the", "cat", "sat", "[SEP]", "[PAD]"]
    assert pooling.solve(variant("cls")) == "2 0 1"
    assert pooling.solve(variant("mean")) == "1 0.8 1"  # (5, 4, 5) / 5: [CLS] and [SEP] count, [PAD] not
    assert pooling.solve(variant("max")) == "3 3 3"
    text = pooling.prompt(variant("mean"))
    assert "mean pooling" in text and "[CLS], the, cat, sat, [SEP], [PAD]" in text and "(mask 0)" in text
    assert pooling.answer_form(variant("max")) == {"kind": "vector", "n": 3}
    assert pooling.tables(variant("max")) == {"H": H, "attention mask": MASK}
    assert "Divide by the 5 kept tokens: 1 0.8 1." in pooling.worked_solution(variant("mean"))
    assert "the [PAD] row is left out" in pooling.worked_solution(variant("max"))
    assert "Column 2: max(0, 3, 1, -2, 2) = 3." in pooling.worked_solution(variant("max"))


MISTAKE_CASES = [
    ("cls", "cls_took_last_row", "5 5 -4"),
    ("cls", "cls_took_sep", "-1 2 3"),
    ("cls", "gave_mean_pooling", "1 0.8 1"),
    ("cls", "gave_max_pooling", "3 3 3"),
    ("mean", "mean_counts_padding", "1.667 1.5 0.1667"),        # (10, 9, 1) / 6
    ("mean", "divided_by_padded_length", "0.8333 0.6667 0.8333"),  # (5, 4, 5) / 6
    ("mean", "sum_instead_of_mean", "5 4 5"),
    ("mean", "mean_excludes_cls", "0.75 1 1"),                   # (3, 4, 4) / 4
    ("mean", "mean_excludes_special_tokens", "1.333 0.6667 0.3333"),  # (4, 2, 1) / 3
    ("mean", "averaged_across_dimensions", "1 1 1 0.3333 1.333"),  # one number per kept token
    ("mean", "gave_cls_pooling", "2 0 1"),
    ("mean", "gave_max_pooling", "3 3 3"),
    ("max", "max_includes_padding", "5 5 3"),
    ("max", "max_across_dimensions", "2 3 2 3 3"),
    ("max", "gave_cls_pooling", "2 0 1"),
    ("max", "gave_mean_pooling", "1 0.8 1"),
]


@pytest.mark.parametrize("ask,name,typed", MISTAKE_CASES)
def test_each_mistake_is_named(ask, name, typed):
    p = variant(ask)
    assert pooling.MISTAKES[name](p) is not None
    for answer in (pooling.MISTAKES[name](p), typed):
        fb = pooling.grade(p, answer)
        assert fb.valid and fb.score < 1 and fb.mistake == name
        assert fb.message.startswith(pooling.EXPLAIN[name]) and fb.hint == pooling.HINT


def test_every_mistake_is_covered_and_off_ask_mistakes_are_none():
    assert {name for _, name, _ in MISTAKE_CASES} == set(pooling.MISTAKES) == set(pooling.EXPLAIN)
    assert pooling.MISTAKES["mean_counts_padding"](variant("max")) is None
    assert pooling.MISTAKES["max_includes_padding"](variant("mean")) is None
    assert pooling.MISTAKES["gave_cls_pooling"](variant("cls")) is None


def test_typed_forms_are_accepted():
    p = variant("mean")
    for typed in ["1 0.8 1", "1, 0.8, 1", "[1, 0.8, 1]", "(1, .8, 1)", "1\n0.8\n1", "1 4/5 1", "1.0 0.80 1.00"]:
        assert pooling.grade(p, typed).score == 1, typed
    fb = pooling.grade(p, "1 0.8 2")
    assert fb.valid and fb.mistake is None and fb.cells == [[True, True, False]] and abs(fb.score - 2 / 3) < 1e-9
    assert not pooling.grade(p, "1 0.8").valid  # a wrong length is a format error, not a wrong answer


def test_lecture_mean_pooling_averages_all_tokens_including_cls_and_sep():
    """Lecture 9: "Average embeddings of all tokens as a starting point (mean pooling)"; sentence-transformers
    averages every token the mask keeps, [CLS] and [SEP] included."""
    from sentence_transformers.sentence_transformer.modules import Pooling
    h = torch.tensor([H], dtype=torch.float64)
    out = Pooling(3, pooling_mode="mean")({"token_embeddings": h, "attention_mask": torch.tensor([MASK])})
    np.testing.assert_allclose(out["sentence_embedding"][0].numpy(), [1, 0.8, 1])


def test_answer_against_sentence_transformers_pooling():
    from sentence_transformers.sentence_transformer.modules import Pooling
    modules = {}
    asks = set()
    for seed in range(300):
        p = pooling.generate(np.random.default_rng(seed))
        h = torch.tensor([p["h"]], dtype=torch.float64)
        d = h.shape[-1]
        key = (p["ask"], d)
        if key not in modules:
            modules[key] = Pooling(d, pooling_mode=p["ask"])
        mask = torch.tensor([p["mask"]])
        ref = modules[key]({"token_embeddings": h, "attention_mask": mask})["sentence_embedding"][0].numpy()
        np.testing.assert_allclose(pooling._answer(p), ref, rtol=1e-12, atol=1e-12)
        assert pooling.grade(p, pooling.solve(p)).score == 1
        # the shown numbers are what params hold: integers or 1 decimal, 4-6 tokens, 1-2 [PAD] at the end
        n = len(p["h"])
        assert 4 <= n <= 6 and 3 <= d <= 4 and 1 <= p["mask"].count(0) <= 2
        assert p["mask"] == sorted(p["mask"], reverse=True)
        assert all(v == round(v, 1) for row in p["h"] for v in row)
        assert pooling.tokens(p)[0] == "[CLS]" and pooling.tokens(p)[p["mask"].count(1) - 1] == "[SEP]"
        asks.add(p["ask"])
    assert asks == {"cls", "mean", "max"}


def test_the_main_mistake_of_each_ask_is_always_possible():
    for seed in range(200):
        p = pooling.generate(np.random.default_rng(seed))
        assert pooling.MISTAKES[pooling.PRIMARY[p["ask"]]](p) is not None
