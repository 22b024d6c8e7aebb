"""The qkv_projection family: the contract, the lecture's ICE #1 projections, each mistake by name, and
the answers against torch (a Linear layer's weight is Wᵀ) and a slow loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from exercises.base import check_family, parse_matrix
from exercises.families import qkv_projection as fam

# seed 0: square (3 tokens, W 3×3), so every shape-dependent mistake applies; asks for V
SQUARE = {"x": [[1, -1, -2], [-2, -2, -2], [2, 1, 2]], "w_q": [[0, 1, 2], [1, 1, 0], [0, 2, -1]],
          "w_k": [[2, 1, -2], [-1, 2, 0], [-2, 1, 1]], "w_v": [[2, -2, -2], [2, -2, 0], [-2, -1, 0]], "which": "V"}

# ICE #1 (lecture 8): Q = x·WQ, K = x·WK, V = x·WV
ICE1 = {"Q": [[9, 7, -12], [-33, -1, 30]], "K": [[15, 5, 16], [-31, 15, -14]], "V": [[2, -10, 13], [-6, 10, -33]]}


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def torch_projection(p: dict) -> np.ndarray:
    x = torch.tensor(p["x"], dtype=torch.float64)
    w = torch.tensor(p["w_" + p["which"].lower()], dtype=torch.float64)
    linear = torch.nn.Linear(w.shape[0], w.shape[1], bias=False, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(w.T)  # torch's Linear computes x·weightᵀ
        return linear(x).numpy()


def loop_projection(p: dict) -> list[list[float]]:
    x, w = p["x"], p["w_" + p["which"].lower()]
    return [[math.fsum(x[i][m] * w[m][c] for m in range(len(w))) for c in range(len(w[0]))] for i in range(len(x))]


def test_passes_check_family():
    check_family(fam)


@pytest.mark.parametrize("which", ["Q", "K", "V"])
def test_lecture_projections(which):
    p = fam.FIXED[f"lecture_{which.lower()}"]
    assert p["x"] == [[1, 2, 3, -1], [3, -4, -7, 5]]
    np.testing.assert_array_equal(parse_matrix(fam.solve(p)), ICE1[which])
    assert fam.answer_form(p) == {"kind": "matrix", "rows": 2, "cols": 3}
    assert f"{which} = X·W_{which}" in fam.prompt(p)
    for other in {"Q", "K", "V"} - {which}:
        fb = fam.grade(p, str(ICE1[other]))
        assert fb.mistake == f"used_w_{other.lower()}" and fb.message.startswith(fam.EXPLAIN[f"used_w_{other.lower()}"])
    fb = fam.grade(p, np.array(ICE1[which]).T.tolist())  # 3×2: the result transposed
    assert fb.valid and fb.score == 0 and fb.mistake == "transposed_result"
    assert fam.MISTAKES["transposed_weight"](p) is None and fam.MISTAKES["elementwise"](p) is None


def test_lecture_worked_solution():
    text = fam.worked_solution(fam.FIXED["lecture_q"])
    assert "1·(-1) + 2·2 + 3·1 + (-1)·(-3) = 9" in text
    assert "Q = 9 7 -12; -33 -1 30" in text and "(2×4)·(4×3) → (2×3)" in text


def test_typed_forms():
    p = fam.FIXED["lecture_k"]
    for typed in ("15 5 16; -31 15 -14", "[[15, 5, 16], [-31, 15, -14]]", "15 5 16\n-31 15 -14",
                  "((15, 5, 16), (-31, 15, -14))", "15, 5, 16; −31, 15, −14", [[15, 5, 16], [-31, 15, -14]]):
        assert fam.grade(p, typed).correct, typed
    fb = fam.grade(p, "15 5 16; -31 15 -13")
    assert fb.valid and fb.score == pytest.approx(5 / 6) and fb.cells == [[True] * 3, [True, True, False]]
    fb = fam.grade(p, "1 2; 3 4")
    assert not fb.valid and "2 rows and 3 columns" in fb.message


def test_each_mistake_is_named():
    x, w = np.array(SQUARE["x"]), np.array(SQUARE["w_v"])
    expected = {"used_w_q": x @ np.array(SQUARE["w_q"]), "used_w_k": x @ np.array(SQUARE["w_k"]),
                "transposed_weight": x @ w.T, "transposed_result": (x @ w).T, "w_times_x": w @ x,
                "elementwise": x * w}
    assert fam.MISTAKES["used_w_v"](SQUARE) is None
    for name, value in expected.items():
        typed = fam.MISTAKES[name](SQUARE)
        np.testing.assert_array_equal(parse_matrix(typed), value)
        fb = fam.grade(SQUARE, typed)
        assert fb.valid and fb.score < 1 and fb.mistake == name and fb.message.startswith(fam.EXPLAIN[name])
        assert fb.hint == fam.HINT


def test_answers_match_torch_and_loop():
    seen = set()
    for seed in range(300):
        p = fam.generate(np.random.default_rng(seed))
        seen.add(p["which"])
        got = parse_matrix(fam.solve(p))
        np.testing.assert_array_equal(got, torch_projection(p))
        np.testing.assert_array_equal(got, loop_projection(p))
        assert (fam.answer_form(p)["rows"], fam.answer_form(p)["cols"]) == got.shape
        assert fam.tables(p) == {"X": p["x"], "W_Q": p["w_q"], "W_K": p["w_k"], "W_V": p["w_v"]}
        assert str(p["x"]) in fam.prompt(p) and str(p["w_" + p["which"].lower()]) in fam.prompt(p)
    assert seen == {"Q", "K", "V"}


def test_square_variants_are_common_enough():
    square = sum(len(p["x"]) == len(p["x"][0]) == len(p["w_q"][0])
                 for p in (fam.generate(np.random.default_rng(s)) for s in range(300)))
    assert 60 <= square <= 150  # about a third
