"""The causal_mask family: the contract, each mistake by name (held against torch where torch can say
it), and the answers against torch's scaled_dot_product_attention(is_causal=True) with V = I, whose
output is then the masked weight matrix itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.base import check_family, parse_matrix
from exercises.families import causal_mask as fam

# seed 2: Q and K given, scaled (d_k = 3): every mistake applies
QK_SCALED = {"q": [[2, 0, -2], [-1, 1, 2], [1, 2, -2]], "k": [[2, -2, 0], [-1, -1, 1], [-1, 0, -1]],
             "v": [[-2, 1, 0], [1, 1, 2], [0, -1, 1]], "scale": True, "given": "qk"}
# seed 11: the scores given, scaled (d_k = 3)
SCORES_SCALED = {"q": [[-2, 1, 0], [1, -1, -2], [-2, 2, 2]], "k": [[-1, 0, -1], [-2, 2, 1], [-2, -1, 0]],
                 "v": [[2, 2, -1], [1, -2, -2], [-1, 0, -1]], "scale": True, "given": "scores"}


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def sdpa_weights(p: dict, *, causal: bool = True, scale: bool | None = None, mask=None) -> np.ndarray:
    q, k = (torch.tensor(p[key], dtype=torch.float64)[None] for key in ("q", "k"))
    n, d_k = q.shape[1:]
    scale = p["scale"] if scale is None else scale
    out = F.scaled_dot_product_attention(q, k, torch.eye(n, dtype=torch.float64)[None], attn_mask=mask,
                                         is_causal=causal, scale=1 / math.sqrt(d_k) if scale else 1.0)
    return out[0].numpy()


def test_passes_check_family():
    check_family(fam)


def test_scores_variant():
    p = SCORES_SCALED
    assert fam.tables(p) == {"S": [[2, 6, 3], [1, -6, -1], [0, 10, 2]]}
    text = fam.prompt(p)
    assert "[[2, 6, 3], [1, -6, -1], [0, 10, 2]]" in text and "d_k = 3" in text and "S / √d_k" in text
    assert fam.solve(p) == "1 0 0; 0.9827 0.0173 0; 0.0031 0.9872 0.0097"
    for typed in ("1 0 0; 0.983 0.017 0; 0.003 0.987 0.01", "[[1, 0, 0], [0.9827, 0.0173, 0], [0.0031, 0.9872, 0.0097]]",
                  "1 0 0\n0.983 0.017 0\n0.003 0.987 0.010"):
        assert fam.grade(p, typed).correct, typed
    assert fam.MISTAKES["k_qt"](p) is None  # only Q and K make K·Qᵀ possible
    fb = fam.grade(p, "1 0 0; 0.98 0.02 0; 0 0 1")
    assert fb.valid and 0 < fb.score < 1 and fb.cells[2] == [False, False, False]
    assert not fam.grade(p, "1 0; 0 1").valid


def test_unscaled_scores_variant_does_not_mention_d_k():
    p = dict(SCORES_SCALED, scale=False)
    assert "d_k =" not in fam.prompt(p) and "no scaling" in fam.prompt(p)
    assert fam.MISTAKES["no_scaling"](p) is None and fam.MISTAKES["divided_by_d_k"](p) is None
    np.testing.assert_allclose(parse_matrix(fam.solve(p)), sdpa_weights(p), atol=1e-4)


def test_each_mistake_is_named_and_is_what_it_says():
    p = QK_SCALED
    n = 3
    allowed_future = torch.triu(torch.ones(n, n, dtype=torch.bool))[None]  # j >= i: the wrong triangle
    full = sdpa_weights(p, causal=False)
    s = np.array(p["q"], dtype=float) @ np.array(p["k"], dtype=float).T
    upper = np.triu(np.ones((n, n), dtype=bool), 1)

    def rows(a, hide, fill=-np.inf):
        a = np.where(hide, fill, a)
        m = a.max(axis=1, keepdims=True)
        e = np.exp(a - np.where(np.isfinite(m), m, 0))
        sums = e.sum(axis=1, keepdims=True)
        return np.divide(e, sums, out=np.zeros_like(e), where=sums > 0)

    expected = {
        "no_mask": full,
        "wrong_triangle": sdpa_weights(p, causal=False, mask=allowed_future),
        "mask_after_softmax": np.tril(full),
        "mask_with_zero": rows(s / math.sqrt(3), upper, 0.0),
        "masked_diagonal": rows(s / math.sqrt(3), np.triu(np.ones((n, n), dtype=bool))),
        "no_scaling": sdpa_weights(p, scale=False),
        "divided_by_d_k": rows(s / 3, upper),
        "k_qt": rows(s.T / math.sqrt(3), upper),
    }
    assert list(expected) == list(fam.MISTAKES)
    for name, value in expected.items():
        typed = fam.MISTAKES[name](p)
        assert typed is not None, name
        np.testing.assert_allclose(parse_matrix(typed), value, atol=1e-4, err_msg=name)
        fb = fam.grade(p, typed)
        assert fb.valid and fb.score < 1 and fb.mistake == name and fb.message.startswith(fam.EXPLAIN[name])
        assert fb.hint == fam.HINT
    assert parse_matrix(fam.MISTAKES["masked_diagonal"](p))[0].tolist() == [0, 0, 0]


def test_worked_solution_and_steps():
    p = QK_SCALED
    text = fam.worked_solution(p)
    assert "S = Q·Kᵀ" in text and "√3" in text and "-∞" in text and "A = 1 0 0; 0.0304 0.9696 0" in text
    steps = fam.steps(p)
    assert [s.key for s in steps] == ["scores", "scaled", "masked", "weights", "output"]
    masked = next(s for s in steps if s.key == "masked").panels[0].matrix
    assert np.all(masked[np.triu_indices(3, 1)] == -np.inf)
    np.testing.assert_allclose(next(s for s in steps if s.key == "weights").panels[0].matrix, sdpa_weights(p),
                               atol=1e-12)
    assert "Scale" not in fam.worked_solution(dict(p, scale=False))


def test_answers_match_torch_sdpa_is_causal():
    kinds = set()
    for seed in range(300):
        p = fam.generate(np.random.default_rng(seed))
        kinds.add((p["given"], p["scale"], len(p["q"])))
        ref = sdpa_weights(p)
        got = parse_matrix(fam.solve(p))
        np.testing.assert_allclose(got, ref, atol=1e-4)
        assert got[0, 0] == 1 and np.all(np.triu(got, 1) == 0)
        assert ref[1:].max() <= fam.MAX_WEIGHT + 1e-12
        assert fam.answer_form(p) == {"kind": "matrix", "rows": len(p["q"]), "cols": len(p["q"])}
        assert fam.grade(p, "\n".join(" ".join(f"{v:.3f}" for v in row) for row in ref)).correct
        shown = fam.tables(p)
        if p["given"] == "qk":
            assert shown == {"Q": p["q"], "K": p["k"]}
        else:
            np.testing.assert_array_equal(shown["S"], np.array(p["q"]) @ np.array(p["k"]).T)
    assert len(kinds) == 8  # scores or Q, K; scaled or not; 3 or 4 tokens


@pytest.mark.parametrize("typed", ["", "banana", "1 0 0; 0.5 0.5", "1 0 0 0; 0 1 0 0; 0 0 1 0; 0 0 0 1"])
def test_unreadable_or_misshapen_answers_are_invalid(typed):
    assert not fam.grade(QK_SCALED, typed).valid
