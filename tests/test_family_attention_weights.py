"""The attention_weights family: the contract, the lecture's ICE #1, each mistake by name, and the answers
against torch's scaled_dot_product_attention (with V = I its output is the weight matrix itself)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.steps import attention_steps
from exercises.base import check_family, parse_matrix, parse_number
from exercises.families import attention_weights as fam

LECTURE = fam.FIXED["lecture"]

# concrete variants (generated with seeds 1, 21, 47, 0 and 5), so that every mistake shows up on one
ENTRY_UNSCALED = {"x": [[2, 2, -1], [-1, 2, 0], [-1, 2, -1]], "w_q": [[0, 0], [0, -1], [-1, 1]],
                  "w_k": [[1, 1], [0, 1], [-1, 0]], "w_v": [[1, -1], [-1, -1], [0, 1]], "scale": False,
                  "ask": "entry", "query": 0, "key": 1}
MATRIX_SCALED = {"x": [[-1, -2, -1], [1, 1, 2], [-1, 0, 2]], "w_q": [[-1, 1, 1, 1], [1, 1, -1, 1], [1, 0, 1, 1]],
                 "w_k": [[-1, 1, 1, 0], [1, 1, -1, -1], [-1, 0, 1, 0]],
                 "w_v": [[0, 1, 0, -1], [0, 1, 0, 1], [-1, 1, -1, 1]], "scale": True, "ask": "matrix",
                 "query": 1, "key": 1}
MATRIX_UNSCALED = {"x": [[0, 0, 2], [-2, 0, 1], [2, 2, 2]], "w_q": [[1, -1, 1], [1, 1, 0], [1, 0, 0]],
                   "w_k": [[0, -1, -1], [0, 0, 1], [1, 1, -1]], "w_v": [[1, -1, 1], [0, 0, 0], [0, 1, 1]],
                   "scale": False, "ask": "matrix", "query": 1, "key": 2}
WHICH_A = {"x": [[0, 1, 2], [-2, 2, 0], [-1, 1, 0]], "w_q": [[-1, -1], [1, 0], [0, 0]],
           "w_k": [[1, 0], [-1, 1], [-1, -1]], "w_v": [[1, 0], [-1, -1], [0, 1]], "scale": True, "ask": "which",
           "query": 1, "key": 2}
WHICH_B = {"x": [[-2, 1, 1], [-1, -2, -1], [-2, 1, 0]], "w_q": [[0, -1, 0], [1, -1, 1], [-1, -1, 1]],
           "w_k": [[1, -1, 1], [1, 0, 0], [1, 1, 1]], "w_v": [[0, -1, 1], [-1, 0, 1], [-1, -1, 1]], "scale": False,
           "ask": "which", "query": 0, "key": 2}


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def torch_weights(p: dict) -> np.ndarray:
    """softmax(QKᵀ/√d_k) from torch: SDPA with V = I returns the weight matrix."""
    x, w_q, w_k = (torch.tensor(p[k], dtype=torch.float64) for k in ("x", "w_q", "w_k"))
    q, k = x @ w_q, x @ w_k
    n, d_k = q.shape
    out = F.scaled_dot_product_attention(q[None], k[None], torch.eye(n, dtype=torch.float64)[None],
                                         scale=1 / math.sqrt(d_k) if p["scale"] else 1.0)
    return out[0].numpy()


def test_passes_check_family():
    check_family(fam)


# ---------------------------------------------------------------------------------------------
# the lecture's ICE #1: "which token (token 1 or token 2) does token 2 place more attention on and
# what is the attention probability?" Token 2 attends to token 2 with probability 1 (3.5486e-153 left
# for token 1); token 1 attends to token 2 with 0.999902699.


def test_lecture_which_token():
    assert "[[1, 2, 3, -1], [3, -4, -7, 5]]" in fam.prompt(LECTURE) and "token 2" in fam.prompt(LECTURE)
    assert fam.answer_form(LECTURE) == {"kind": "choice", "options": ["token 1", "token 2", fam.TIE]}
    assert fam.solve(LECTURE) == "token 2"
    for typed in ("token 2", "Token 2", "2", "b", "B)", " token 2. "):
        assert fam.grade(LECTURE, typed).correct, typed
    fb = fam.grade(LECTURE, "token 1")
    assert fb.valid and fb.score == 0 and fb.mistake is None  # every mistake coincides with the answer here
    assert all(f(LECTURE) is None for f in fam.MISTAKES.values())
    assert not fam.grade(LECTURE, "token 3").valid
    fb = fam.grade(LECTURE, "3")  # the tie: never right (a random variant's top weight beats the next by MIN_GAP)
    assert fb.valid and fb.score == 0


def test_which_has_four_options_when_generated():
    """3 tokens and the tie (exercises.choices.MIN_OPTIONS); the lecture's 2 tokens and the tie: 3 options, so
    practice allows it one try (choices.choice_tries)."""
    for seed in range(200):
        p = fam.generate(np.random.default_rng(seed))
        if p["ask"] == "which":
            assert len(fam.answer_form(p)["options"]) == 4 and fam.answer_form(p)["options"][-1] == fam.TIE


@pytest.mark.parametrize("typed", ["101%", "-5%", "1.01", "-0.05", "150 %", "2"])
def test_a_probability_outside_0_to_1_is_unreadable(typed):
    fb = fam.grade(fam.FIXED["lecture_probability"], typed)
    assert not fb.valid and "not a probability" in fb.message and "between 0 and 1" in fb.message


@pytest.mark.parametrize("typed", ["100%", "99.99 %", "1", "0.9999"])
def test_a_probability_in_range_is_graded(typed):
    assert fam.grade(fam.FIXED["lecture_probability"], typed).correct


def test_lecture_probability_and_matrix():
    p = fam.FIXED["lecture_probability"]
    assert fam.answer_form(p) == {"kind": "number"}
    assert parse_number(fam.solve(p)) == pytest.approx(1.0, abs=1e-12)
    for typed in ("1", "1.0", "0.9999", "≈ 1", "100/100", "100%", "99.99 %"):
        assert fam.grade(p, typed).correct, typed
    assert not fam.grade(p, "0.5").correct
    fb = fam.grade(p, "339.482")  # 588 / √3, the scaled score itself: no probability, so unread (no try)
    assert not fb.valid and "not a probability" in fb.message
    m = fam.FIXED["lecture_matrix"]
    w = parse_matrix(fam.solve(m))
    assert w[0, 1] == pytest.approx(0.999902699, abs=1e-4) and w[1, 0] == pytest.approx(3.5486e-153, rel=1e-2)
    assert fam.grade(m, "0.0001 0.9999; 0 1").correct
    assert fam.grade(m, "[[0, 1], [0, 1]]").correct  # 9.7e-5 is within the absolute tolerance 1e-3
    np.testing.assert_allclose(parse_matrix(fam.solve(m)), torch_weights(m), atol=1e-4)


def test_lecture_worked_solution_and_steps():
    text = fam.worked_solution(LECTURE)
    assert "Q = X·W_Q = 9 7 -12; -33 -1 30" in text
    assert "K = X·W_K = 15 5 16; -31 15 -14" in text
    assert "-22 -6; -20 588" in text and "√3" in text
    assert "token 2 attends most to token 2, with probability 1.0000 (the other tokens share 3.5e-153)" in text
    steps = fam.steps(LECTURE)
    assert [s.key for s in steps] == ["q", "k", "v", "scores", "scaled", "weights", "output"]
    weights = next(s for s in steps if s.key == "weights").panels[0].matrix
    assert weights[1, 1] == pytest.approx(1.0) and weights[0, 1] == pytest.approx(0.999902699, abs=1e-9)
    assert steps[0].panels[0].row_labels == ("token 1", "token 2")


def test_lecture_unscaled_gives_the_same_token():
    p = dict(LECTURE, scale=False)
    assert fam.solve(p) == "token 2"
    assert "no scaling" in fam.prompt(p) and "√3" not in fam.worked_solution(p)
    assert [s.key for s in fam.steps(p)] == [s.key for s in attention_steps(fam._attention(p), ["a", "b"],
                                                                             x=np.array(p["x"]))]


# ---------------------------------------------------------------------------------------------
# mistakes, by name


@pytest.mark.parametrize("p, names", [
    (MATRIX_SCALED, ["no_scaling", "divided_by_d_k", "softmax_over_columns", "k_qt", "transposed", "no_softmax"]),
    (MATRIX_UNSCALED, ["unwanted_scaling", "softmax_over_columns", "k_qt", "transposed", "no_softmax"]),
    (ENTRY_UNSCALED, ["unwanted_scaling", "softmax_over_columns", "k_qt", "transposed"]),  # its score is no
    # probability (outside 0..1): refused as unreadable, see test_a_probability_outside_0_to_1_is_unreadable
    (WHICH_A, ["k_qt", "attends_to_itself"]),
    (WHICH_B, ["softmax_over_columns", "query_instead_of_key"]),
])
def test_each_mistake_is_named(p, names):
    for name in names:
        typed = fam.MISTAKES[name](p)
        assert typed is not None, name
        fb = fam.grade(p, typed)
        assert fb.valid and fb.score < 1 and fb.mistake == name and fb.message.startswith(fam.EXPLAIN[name])
        assert fb.hint == fam.HINT


def test_mistakes_are_what_they_say():
    p = MATRIX_SCALED
    x, w_q, w_k = (np.array(p[k], dtype=float) for k in ("x", "w_q", "w_k"))
    s = (x @ w_q) @ (x @ w_k).T
    d_k = w_q.shape[1]

    def rows(a):  # row softmax, written out
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    expected = {"no_scaling": rows(s), "divided_by_d_k": rows(s / d_k), "softmax_over_columns": rows((s / 2).T).T,
                "k_qt": rows(s.T / 2), "transposed": rows(s / 2).T, "no_softmax": s / 2}
    assert d_k == 4
    for name, value in expected.items():
        np.testing.assert_allclose(parse_matrix(fam.MISTAKES[name](p)), value, atol=1e-4)
    # "which": the query that attends most to the token (column argmax), or the token itself
    w = torch_weights(WHICH_B)
    assert fam.MISTAKES["query_instead_of_key"](WHICH_B) == f"token {int(np.argmax(w[:, 0])) + 1}"
    assert fam.MISTAKES["attends_to_itself"](WHICH_A) == "token 2"


def test_mistake_values_and_messages():
    p = ENTRY_UNSCALED  # token 1 -> token 2: 0.2685
    assert fam.solve(p) == "0.2685"
    for typed in ("0.2685", "0.268", ".27", "≈0.2685", "2685/10000"):
        assert fam.grade(p, typed).correct, typed
    fb = fam.grade(p, "0.5761")  # K·Qᵀ
    assert fb.mistake == "k_qt" and fb.score == 0
    assert not fam.grade(p, "0.2685 0.7").valid


# ---------------------------------------------------------------------------------------------
# against torch, over many seeds


def test_answers_match_torch_sdpa():
    asks = set()
    for seed in range(300):
        p = fam.generate(np.random.default_rng(seed))
        asks.add(p["ask"])
        ref = torch_weights(p)
        assert ref.max() <= fam.MAX_WEIGHT + 1e-12  # no near one-hot random variant
        i, j = p["query"], p["key"]
        if p["ask"] == "matrix":
            np.testing.assert_allclose(parse_matrix(fam.solve(p)), ref, atol=1e-4)
            assert fam.answer_form(p) == {"kind": "matrix", "rows": len(p["x"]), "cols": len(p["x"])}
            assert fam.grade(p, "\n".join(" ".join(f"{v:.3f}" for v in row) for row in ref)).correct
            assert fam.grade(p, str(np.round(ref, 3).tolist())).correct  # [[...], [...]]
        elif p["ask"] == "entry":
            assert parse_number(fam.solve(p)) == pytest.approx(ref[i, j], abs=5e-5)
            assert fam.grade(p, f"{ref[i, j]:.3f}").correct
        else:
            j_ref = int(np.argmax(ref[i]))
            assert fam.solve(p) == f"token {j_ref + 1}"
            assert fam.grade(p, str(j_ref + 1)).correct and fam.grade(p, f"Token {j_ref + 1}").correct
            assert ref[i, j_ref] - np.sort(ref[i])[-2] >= fam.MIN_GAP
        weights = next(s for s in fam.steps(p) if s.key == "weights").panels[0].matrix
        np.testing.assert_allclose(weights, ref, atol=1e-12)
    assert asks == set(fam.ASKS)


def test_prompt_and_tables_show_params_exactly():
    p = fam.generate(np.random.default_rng(7))
    t = fam.tables(p)
    assert t == {"X": p["x"], "W_Q": p["w_q"], "W_K": p["w_k"], "W_V": p["w_v"]}
    text = fam.prompt(p)
    assert all(isinstance(v, int) for m in t.values() for row in m for v in row)
    assert str(p["x"]) in text and str(p["w_q"]) in text
