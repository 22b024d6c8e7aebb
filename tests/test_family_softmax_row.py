"""The softmax_row family: check_family, its answers and mistakes."""

from __future__ import annotations

from exercises.contract import check_family
from exercises.families import softmax_row

# ---------------------------------------------------------------------------------------------
# softmax_row and check_family


def test_softmax_row_passes_check_family():
    check_family(softmax_row)


def test_softmax_row_answers():
    p = {"scores": [1, 3, 5], "scale": True, "d_k": 16}
    assert "d_k = 16" in softmax_row.prompt(p) and "[1, 3, 5]" in softmax_row.prompt(p)
    assert softmax_row.solve(p) == "0.1863 0.3072 0.5065"
    assert softmax_row.grade(p, "0.186, 0.307, 0.507").score == 1
    assert softmax_row.grade(p, "[0.19, 0.31, 0.51]").score < 1  # 2 decimals are not enough here
    for name in ["no_scaling", "divided_by_d_k", "no_exponent", "forgot_normalisation", "max_instead_of_softmax"]:
        fb = softmax_row.grade(p, softmax_row.MISTAKES[name](p))
        assert fb.mistake == name and fb.score < 1 and fb.message.startswith(softmax_row.EXPLAIN[name])
        assert fb.hint == softmax_row.HINT and fb.cells is not None
    assert softmax_row.grade(p, "0 0 1").mistake == "max_instead_of_softmax"
    unscaled = {"scores": [1, 3, 5], "scale": False, "d_k": None}
    assert softmax_row.MISTAKES["no_scaling"](unscaled) is None
    assert softmax_row.MISTAKES["divided_by_d_k"](unscaled) is None
    assert "Divide by sqrt(16) = 4" in softmax_row.worked_solution(p)


def test_softmax_row_one_hot_is_no_mistake_when_softmax_is_nearly_one_hot():
    p = {"scores": [-3, -3, 5], "scale": False, "d_k": None}  # softmax ≈ [0.0003, 0.0003, 0.9993]
    assert softmax_row.MISTAKES["max_instead_of_softmax"](p) is None
    assert softmax_row.grade(p, "0 0 1").score == 1
