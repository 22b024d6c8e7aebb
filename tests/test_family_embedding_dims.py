"""embedding_dims: the lecture's ICE (13 words, 20 sub-tokens, 768 dimensions: pooled 768, CLS 768, last
hidden layer 20 × 768 = 15,360, its option 4), answers held against the shapes of a torch tensor pooled
the way BERT users pool it, each mistake named with its explanation, the typed forms accepted."""

from __future__ import annotations

import numpy as np
import torch

from core.embeddings import ICE3_OPTIONS, LECTURE_ICE3, pool
from exercises.base import check_family
from exercises.families import embedding_dims as fam


def variant(ask, n_words=13, n_tokens=20, d=768):
    return {"ask": ask, "n_words": n_words, "n_tokens": n_tokens, "d": d, "sentence": None}


def test_passes_check_family():
    check_family(fam)


def test_generate_covers_every_ask_with_more_subtokens_than_words():
    ps = [fam.generate(np.random.default_rng(s)) for s in range(300)]
    assert {p["ask"] for p in ps} == set(fam.ASKS)
    assert all(p["n_tokens"] >= p["n_words"] + 3 and p["d"] in fam.D_MODELS for p in ps)
    choices = [p for p in ps if p["ask"] == "choice"]
    assert len({tuple(p["option_mistakes"]) for p in choices}) > 5  # shuffled


def test_lecture_numbers():
    # lecture 8, ICE #3 (lecture 9's ICE #2): "13 words ... 20 sub-tokens ... 768"; answer option 4,
    # "768, 768 and 15360"
    lec = fam.FIXED["lecture"]
    assert (lec["n_words"], lec["n_tokens"], lec["d"]) == (13, 20, 768)
    assert "13 words" in fam.prompt(lec) and "20 sub-tokens" in fam.prompt(lec) and "768" in fam.prompt(lec)
    assert "[CLS] and [SEP] included" in fam.prompt(lec)
    assert lec["options"] == list(ICE3_OPTIONS)
    assert fam.solve(lec) == ICE3_OPTIONS[LECTURE_ICE3["answer_option"] - 1] == "768, 768 and 15360"
    for typed in ("4", "D", "d)", "(d)", "768, 768 and 15360", "D) 768, 768 and 15360"):
        assert fam.grade(lec, typed).correct, typed
    assert fam.solve(fam.FIXED["lecture_all_three"]) == "768 768 15360"
    assert fam.solve(fam.FIXED["lecture_pooled"]) == "768"
    assert fam.solve(fam.FIXED["lecture_cls"]) == "768"
    assert fam.solve(fam.FIXED["lecture_total"]) == "15360" == str(LECTURE_ICE3["total"])
    assert fam.solve(fam.FIXED["lecture_shape"]) == "20 x 768"
    assert fam.grade(fam.FIXED["lecture_total"], "15,360").correct


def test_lecture_distractors_are_named():
    lec = fam.FIXED["lecture"]
    for typed, name in (("1", "cls_and_total_swapped"), ("B", "one_vector_for_total"),
                        ("15360, 768 and 15630", "flattened_for_pooled")):
        fb = fam.grade(lec, typed)
        assert fb.valid and fb.score == 0 and fb.mistake == name and fb.message == fam.CHOICE_EXPLAIN[name]


def test_answers_against_a_torch_last_hidden_state_over_many_seeds():
    torch.manual_seed(0)
    for seed in range(200):
        p = fam.generate(np.random.default_rng(seed))
        h = torch.randn(1, p["n_tokens"], p["d"])  # what a HuggingFace BERT returns for one sentence
        cls = h[0, 0]
        mean = h.mean(dim=1)[0]
        layer = h[0]
        assert pool(layer.numpy()).mean.shape == tuple(mean.shape)
        expected = {
            "pooled": str(mean.numel()), "cls": str(cls.numel()), "total": str(layer.numel()),
            "shape": " x ".join(map(str, layer.shape)),
            "all_three": f"{mean.numel()} {cls.numel()} {layer.numel()}",
            "choice": f"{mean.numel()}, {cls.numel()} and {layer.numel()}",
        }[p["ask"]]
        assert fam.solve(p) == expected
        assert fam.grade(p, expected).correct
        if p["ask"] == "shape":
            assert fam.grade(p, str(tuple(h.shape))).correct  # with the batch of one: right too


def test_every_mistake_is_named_with_its_explanation():
    cases = {
        "flattened_for_pooled": [(variant("pooled"), "15360"), (variant("cls"), "15,360"),
                                 (variant("all_three"), "15360 768 15360")],
        "n_instead_of_d": [(variant("pooled"), "20"), (variant("all_three"), "20 20 15360")],
        "cls_and_total_swapped": [(variant("all_three"), "768, 15360 and 768")],
        "one_vector_for_total": [(variant("total"), "768"), (variant("shape"), "768"),
                                 (variant("all_three"), "768 768 768")],
        "words_instead_of_subtokens": [(variant("total"), "9984"), (variant("shape"), "13 x 768"),
                                       (variant("all_three"), "768 768 9984")],
        "added_special_tokens": [(variant("total"), "16,896"), (variant("shape"), "22 x 768")],
        "removed_special_tokens": [(variant("total"), "13824"), (variant("shape"), "(18, 768)")],
        "added_instead_of_multiplied": [(variant("total"), "788"), (variant("all_three"), "768 768 788")],
        "transposed": [(variant("shape"), "768 x 20")],
        "flattened_shape": [(variant("shape"), "(15360,)")],
    }
    assert set(cases) == set(fam.MISTAKES) == set(fam.EXPLAIN)
    for name, examples in cases.items():
        for p, typed in examples:
            assert fam.MISTAKES[name](p) is not None, (name, p["ask"])
            for answer in (typed, fam.MISTAKES[name](p)):
                fb = fam.grade(p, answer)
                assert fb.valid and fb.score < 1 and fb.mistake == name, (name, answer, fb)
                assert fb.message.startswith(fam.EXPLAIN[name]) and fb.hint == fam.HINT


def test_mistakes_that_do_not_apply_are_none():
    assert fam.MISTAKES["transposed"](variant("total")) is None
    assert fam.MISTAKES["flattened_for_pooled"](variant("total")) is None
    assert fam.MISTAKES["words_instead_of_subtokens"](variant("cls")) is None


def test_typed_forms_accepted():
    for typed in ("20 x 768", "20x768", "20×768", "20 by 768", "(20, 768)", "[20, 768]", "20,768",
                  "torch.Size([20, 768])", "1 x 20 x 768", "torch.Size([1, 20, 768])"):
        assert fam.grade(variant("shape"), typed).correct, typed
    for typed in ("15360", "15,360", "15360.0", "1.536e4", "1.536 × 10^4"):
        assert fam.grade(variant("total"), typed).correct, typed
    for typed in ("768 768 15360", "768, 768, 15360", "768, 768 and 15360", "[768, 768, 15360]", "768\n768\n15360"):
        assert fam.grade(variant("all_three"), typed).correct, typed
    # thousands separators in the three-number form ("Your answer has 4 numbers" before)
    for typed in ("768 768 15,360", "768, 768, 15,360", "768, 768 and 15,360", "768,768,15360"):
        assert fam.grade(variant("all_three"), typed).correct, typed
    # the lecture's choice, typed as "option 4" or as the option's text with other commas
    for typed in ("option 4", "Option D", "768, 768 and 15360", "768,768 and 15,360", "768, 768 and 15,360"):
        assert fam.grade(fam.FIXED["lecture"], typed).correct, typed


def test_pooled_means_what_the_lecture_says():
    """The lecture calls the CLS (start token) embedding the pooled embedding; the mean is the mean-pooled one."""
    assert "mean-pooled embedding" in fam.prompt(variant("pooled")) and "average" in fam.prompt(variant("pooled"))
    for ask in ("all_three", "choice"):
        p = fam.FIXED["lecture"] if ask == "choice" else variant(ask)
        assert "CLS (start token) embedding, also called the pooled embedding" in fam.prompt(p)
    assert "the lecture also calls it the pooled embedding" in fam.HINT


def test_graded_exactly_and_unreadable_costs_no_attempt():
    assert not fam.grade(variant("total"), "15300").correct
    assert not fam.grade(variant("total"), "15630").correct  # the lecture's digit swap
    assert not fam.grade(variant("shape"), "20 x").valid
    assert not fam.grade(variant("all_three"), "768 768").valid
    assert not fam.grade(fam.FIXED["lecture"], "E").valid


def test_prompt_form_and_worked_solution():
    assert fam.answer_form(variant("total")) == {"kind": "number"}
    assert fam.answer_form(variant("shape")) == {"kind": "shape"}
    assert fam.answer_form(variant("all_three")) == {"kind": "vector", "n": 3}
    lec = fam.FIXED["lecture"]
    assert fam.answer_form(lec) == {"kind": "choice", "options": list(ICE3_OPTIONS)}
    assert "D) 768, 768 and 15360" in fam.prompt(lec)
    steps = fam.worked_solution(lec)
    assert "20 × 768 = 15,360" in steps and "option D) 768, 768 and 15360" in steps
    assert "1 x 20 x 768" in fam.worked_solution(variant("shape"))


def test_wrong_choices_never_give_the_right_numbers():
    """The lecture's choice: a wrong option's feedback says what is wrong with it, with no number and no d or
    n × d that would name the right option."""
    for p in [fam.FIXED["lecture"]] + [fam.generate(np.random.default_rng(s)) for s in range(200)]:
        if p["ask"] != "choice":
            continue
        right = fam.solve(p)
        for option in p["options"]:
            if option != right:
                fb = fam.grade(p, option)
                assert fb.mistake in fam.CHOICE_EXPLAIN and fb.message == fam.CHOICE_EXPLAIN[fb.mistake]
                assert not any(c.isdigit() for c in fb.message) and "n × d" not in fb.message
