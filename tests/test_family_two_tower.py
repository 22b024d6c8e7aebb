"""The two_tower family: check_family, a worked batch for each ask with every mistake named, typed forms,
the lecture's wording, and S and the loss against torch (matmul, cross_entropy) over many seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.base import check_family
from exercises.families import two_tower as tt

ROOT = Path(__file__).resolve().parents[1]

# S = Q·Pᵀ = [[-3, 1, 0], [-2, 2, 4], [-4, 2, 2]]
BATCH = {"queries": ["orange", "milk", "bread"], "products": ["Navel Oranges", "Whole Milk", "Sourdough Bread"],
         "Q": [[1, -1], [2, 0], [2, -1]], "P": [[-1, 2], [1, 0], [2, 2]]}
OPTIONS = ["Every entry of S", "The off-diagonal entries, S[i][j] with i ≠ j",
           "Only the entries below the diagonal, S[i][j] with i > j", "The diagonal entries, S[i][i]"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def variant(ask: str) -> dict:
    p = {"ask": ask, **BATCH}
    if ask == "which_negatives":
        p["options"] = OPTIONS
    if ask == "loss":
        p["row"] = 1  # query 2, "milk": row [-2, 2, 4]
    return p


def test_passes_check_family():
    check_family(tt)


def test_scores_of_the_worked_batch():
    p = variant("scores")
    assert tt.solve(p) == "-3 1 0; -2 2 4; -4 2 2"
    assert tt.answer_form(p) == {"kind": "matrix", "rows": 3, "cols": 3}
    assert tt.tables(p) == {"Q": BATCH["Q"], "P": BATCH["P"]}
    text = tt.prompt(p)
    assert "B = 3" in text and "q_1 = [1, -1]" in text and "p_3 = [2, 2]" in text and "3×3" in text
    assert "(\"orange\", Navel Oranges)" in text
    steps = tt.worked_solution(p)
    assert "Row 2 (\"milk\"): q_2·p_1 = -2, q_2·p_2 = 2, q_2·p_3 = 4." in steps
    for typed in ["-3 1 0; -2 2 4; -4 2 2", "[[-3, 1, 0], [-2, 2, 4], [-4, 2, 2]]", "-3 1 0\n-2 2 4\n-4 2 2",
                  "((−3, 1, 0), (−2, 2, 4), (−4, 2, 2))"]:
        assert tt.grade(p, typed).score == 1, typed
    fb = tt.grade(p, "-3 1 0; -2 2 4; -4 2 3")
    assert fb.valid and fb.mistake is None and abs(fb.score - 8 / 9) < 1e-9 and fb.cells[2] == [True, True, False]


@pytest.mark.parametrize("name,typed", [
    ("transposed_scores", "-3 -2 -4; 1 2 2; 0 4 2"),
    ("positives_only", "-3 2 2"),
    ("softmaxed_rows", None),
])
def test_each_scores_mistake_is_named(name, typed):
    p = variant("scores")
    for answer in (tt.MISTAKES[name](p), typed):
        if answer is None:
            continue
        fb = tt.grade(p, answer)
        assert fb.valid and fb.score < 1 and fb.mistake == name
        assert fb.message.startswith(tt.EXPLAIN[name]) and fb.hint == tt.HINT


def test_negatives_count():
    p = variant("negatives")
    assert tt.solve(p) == "2" and tt.answer_form(p) == {"kind": "number"}
    assert "How many negatives does each query have" in tt.prompt(p)
    assert "B − 1 = 2 negatives" in tt.worked_solution(p)
    for typed in ["2", "2.0", " 2 "]:
        assert tt.grade(p, typed).score == 1
    for typed in ["2.02", "1.99", "2.001"]:  # a count is graded exactly, not within 1%
        fb = tt.grade(p, typed)
        assert fb.valid and fb.score == 0, typed
    for name, typed in [("counted_the_positive", "3"), ("counted_whole_matrix", "6"), ("one_negative", "1")]:
        assert tt.MISTAKES[name](p) == typed
        fb = tt.grade(p, typed)
        assert fb.mistake == name and fb.score == 0 and fb.message.startswith(tt.EXPLAIN[name])


def test_which_negatives():
    p = variant("which_negatives")
    assert tt.solve(p) == tt.RIGHT_OPTION == OPTIONS[1]
    assert tt.answer_form(p) == {"kind": "choice", "options": OPTIONS}
    assert "B) The off-diagonal entries" in tt.prompt(p)
    for typed in ["B", "b)", "2", "the off-diagonal entries, s[i][j] with i ≠ j"]:
        assert tt.grade(p, typed).score == 1, typed
    for name, letter in [("every_entry_as_negative", "A"), ("one_triangle_only", "C"), ("diagonal_as_negatives", "D")]:
        assert tt.MISTAKES[name](p) == OPTIONS["ABCD".index(letter)]
        fb = tt.grade(p, letter)
        assert fb.mistake == name and fb.score == 0 and fb.message.startswith(tt.EXPLAIN[name])


def test_options_are_shuffled():
    firsts = set()
    for seed in range(200):
        p = tt.generate(np.random.default_rng(seed))
        if p["ask"] == "which_negatives":
            assert sorted(p["options"]) == sorted(tt.OPTIONS)
            firsts.add(p["options"].index(tt.RIGHT_OPTION))
    assert firsts == {0, 1, 2, 3}


LOSS_MISTAKES = [
    ("forgot_minus", "-2.129"),
    ("log10", "0.9247"),                          # 2.1291 / ln 10
    ("gave_probability", "0.1189"),               # e² / (e⁻² + e² + e⁴)
    ("softmax_over_column", "0.862"),             # column 2 is [1, 2, 2]
    ("positive_left_out_of_denominator", "2.0025"),
    ("target_in_first_column", "6.129"),
    ("target_is_largest_score", "0.1291"),        # column 3, score 4
    ("batch_mean_loss", "2.383"),
]


def test_loss_of_the_worked_batch():
    p = variant("loss")
    assert tt.solve(p) == "2.1291"  # −ln(e² / (e⁻² + e² + e⁴))
    assert "loss of query 2 (\"milk\")" in tt.prompt(p) and "natural logarithm" in tt.prompt(p)
    assert "Keep full precision in every intermediate step" in tt.prompt(p)  # p rounded before −ln can miss
    steps = tt.worked_solution(p)
    assert "Row 2 of S (query \"milk\"): -2 2 4; its positive is column 2, S[2][2] = 2." in steps
    assert "Loss = −ln(0.1189) = 2.1291." in steps
    for typed in ["2.1291", "2.129", "2.13", "≈2.13"]:
        assert tt.grade(p, typed).score == 1, typed
    assert {name for name, _ in LOSS_MISTAKES} == {n for n in tt.MISTAKES if tt.MISTAKES[n](p) is not None}


@pytest.mark.parametrize("name,typed", LOSS_MISTAKES)
def test_each_loss_mistake_is_named(name, typed):
    p = variant("loss")
    for answer in (tt.MISTAKES[name](p), typed):
        fb = tt.grade(p, answer)
        assert fb.valid and fb.score == 0 and fb.mistake == name, (answer, fb)
        assert fb.message.startswith(tt.EXPLAIN[name]) and fb.hint == tt.HINT


def test_mistakes_that_do_not_apply_are_none():
    first = dict(variant("loss"), row=0)  # row 1: the first column is the target itself
    assert tt.MISTAKES["target_in_first_column"](first) is None
    assert tt.MISTAKES["transposed_scores"](variant("loss")) is None
    assert tt.MISTAKES["forgot_minus"](variant("scores")) is None
    symmetric_top = dict(variant("loss"), row=2)  # row 3 is [-4, 2, 2]: the largest score ties the target
    assert tt.MISTAKES["target_is_largest_score"](symmetric_top) is None


def test_every_mistake_is_covered():
    covered = {"transposed_scores", "positives_only", "softmaxed_rows", "counted_the_positive",
               "counted_whole_matrix", "one_negative", "every_entry_as_negative", "one_triangle_only",
               "diagonal_as_negatives"} | {name for name, _ in LOSS_MISTAKES}
    assert covered == set(tt.MISTAKES) == set(tt.EXPLAIN)
    assert {name for name in tt.OPTIONS.values() if name} <= set(tt.EXPLAIN)


def test_lecture_wording():
    """Lecture 9: "In the vanilla implementation of in-batch negative, all off-diagonal negative samples
    are given the same weight"; the products are the lecture's converted products for "Orange" and kin."""
    assert "off-diagonal" in tt.RIGHT_OPTION
    seed = ROOT.parent / "shared" / "seeds" / "000_189d6490a7b97c38.txt"
    if seed.is_file():  # the lecture text, where this checkout has it beside it
        text = seed.read_text()
        assert "all off-diagonal negative samples are given the same weight" in text
        assert "Vanilla In-batch Negative" in text and "two-tower model" in text


def test_scores_and_loss_against_torch():
    asks = set()
    for seed in range(400):
        p = tt.generate(np.random.default_rng(seed))
        asks.add(p["ask"])
        q = torch.tensor(p["Q"], dtype=torch.float64)
        items = torch.tensor(p["P"], dtype=torch.float64)
        s = q @ items.T
        np.testing.assert_array_equal(tt._scores(p), s.numpy())
        b = len(p["Q"])
        assert 3 <= b <= 4 and 2 <= len(p["Q"][0]) <= 3
        assert not torch.equal(s, s.T)
        losses = F.cross_entropy(s, torch.arange(b), reduction="none")
        for r in range(b):
            assert tt._row_loss(s.numpy(), r) == pytest.approx(losses[r].item(), rel=1e-9)
        if p["ask"] == "loss":
            assert float(tt.solve(p)) == pytest.approx(losses[p["row"]].item(), abs=5e-5)
            mean = tt.MISTAKES["batch_mean_loss"](p)
            if mean is not None:
                assert float(mean) == pytest.approx(F.cross_entropy(s, torch.arange(b)).item(), abs=5e-5)
            column = tt.MISTAKES["softmax_over_column"](p)
            if column is not None:  # the loss of the transposed scores: products scored against queries
                ref = F.cross_entropy(s.T, torch.arange(b), reduction="none")[p["row"]].item()
                assert float(column) == pytest.approx(ref, abs=5e-5)
        if p["ask"] == "scores":
            np.testing.assert_allclose(np.array([[float(x) for x in row.split()] for row in tt.solve(p).split(";")]),
                                       s.numpy())
        if p["ask"] == "negatives":
            assert tt.solve(p) == str(b - 1)
    assert asks == set(tt.ASKS)


def test_wrong_negatives_options_never_name_the_right_one():
    for seed in range(200):
        p = tt.generate(np.random.default_rng(seed))
        if p["ask"] == "which_negatives":
            for option in p["options"]:
                if option != tt.RIGHT_OPTION:
                    assert "off-diagonal" not in tt.grade(p, option).message
