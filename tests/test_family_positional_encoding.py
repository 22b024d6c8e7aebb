"""positional_encoding: entries and whole vectors of the sinusoidal encoding, held against a slow loop
written here and the Annotated Transformer's torch formula; each mistake named with its explanation;
the typed forms accepted."""

from __future__ import annotations

import math

import numpy as np
import torch

from exercises.base import check_family
from exercises.families import positional_encoding as fam


def value(pos, j, d_model):
    return {"ask": "value", "pos": pos, "j": j, "d_model": d_model}


def vector(pos, d_model):
    return {"ask": "vector", "pos": pos, "j": None, "d_model": d_model}


def loop_pe(pos: int, j: int, d_model: int) -> float:
    """Straight from the paper: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)."""
    if j % 2 == 0:
        return math.sin(pos / 10000 ** (j / d_model))
    return math.cos(pos / 10000 ** ((j - 1) / d_model))


def annotated_transformer_pe(max_len: int, d_model: int) -> torch.Tensor:
    """The Annotated Transformer's PositionalEncoding buffer (without the batch dimension)."""
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    position = torch.arange(0, max_len, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * -(math.log(10000.0) / d_model))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


def test_passes_check_family():
    check_family(fam)


def test_generate_covers_both_asks():
    ps = [fam.generate(np.random.default_rng(s)) for s in range(200)]
    assert {p["ask"] for p in ps} == {"value", "vector"}
    assert all(1 <= p["pos"] <= 10 for p in ps)
    assert all(0 <= p["j"] < p["d_model"] for p in ps if p["ask"] == "value")
    assert {p["j"] % 2 for p in ps if p["ask"] == "value"} == {0, 1}


def test_answers_against_a_loop_and_the_annotated_transformer_over_many_seeds():
    tables = {d: annotated_transformer_pe(11, d).numpy() for d in set(fam.VALUE_D_MODELS) | set(fam.VECTOR_D_MODELS)}
    for seed in range(300):
        p = fam.generate(np.random.default_rng(seed))
        pos, d = p["pos"], p["d_model"]
        if p["ask"] == "value":
            expected = [loop_pe(pos, p["j"], d)]
            assert math.isclose(fam._answer(p), tables[d][pos, p["j"]], rel_tol=1e-9, abs_tol=1e-12)
        else:
            expected = [loop_pe(pos, j, d) for j in range(d)]
            np.testing.assert_allclose(fam._answer(p), tables[d][pos], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.atleast_1d(fam._answer(p)), expected, rtol=1e-9, atol=1e-12)
        typed = " ".join(f"{x:.3f}" for x in expected)  # 3 decimals, as the prompt asks
        assert fam.grade(p, typed).correct, (p, typed)


def test_known_values():
    assert fam.solve(value(1, 0, 4)) == "0.8415"  # sin(1)
    assert fam.solve(value(1, 1, 4)) == "0.5403"  # cos(1)
    assert fam.solve(value(9, 3, 8)) == "0.6216"  # cos(9 / 10000^(2/8)) = cos(0.9)
    assert fam.solve(vector(2, 4)) == "0.9093 -0.4161 0.02 0.9998"  # sin 2, cos 2, sin 0.02, cos 0.02


def test_every_mistake_is_named_with_its_explanation():
    p = value(9, 3, 8)  # i = 1, angle 9 / 10 = 0.9: PE = cos(0.9) = 0.6216
    cases = {
        "sin_cos_swapped": (p, "0.783"),  # sin(0.9)
        "exponent_i_over_d": (p, str(round(math.cos(9 / 10000 ** (1 / 8)), 4))),
        "index_used_as_i": (value(3, 2, 16), str(round(math.sin(3 / 10000 ** (4 / 16)), 4))),  # i = 2: 10000^(4/16)
        "index_over_d": (p, str(round(math.cos(9 / 10000 ** (3 / 8)), 4))),
        "degrees": (value(3, 0, 16), str(round(math.sin(math.radians(3)), 4))),
        "multiplied_instead_of_divided": (p, str(round(math.cos(9 * 10), 4))),
        "halves_not_interleaved": (vector(2, 4), "0.9093 0.02 -0.4161 0.9998"),
    }
    # in p, dimension 3 counted from 1 is dimension 2 = sin(0.9), which is sin_cos_swapped's answer: this
    # slip gets an even dimension of its own, 2 read as 1
    cases["dimension_counted_from_1"] = (value(9, 2, 8), str(round(math.cos(9), 4)))  # dimension 1: cos(9)
    assert set(cases) == set(fam.MISTAKES) == set(fam.EXPLAIN)
    for name, (q, typed) in cases.items():
        assert fam.MISTAKES[name](q) is not None, name
        for answer in (typed, fam.MISTAKES[name](q)):
            fb = fam.grade(q, answer)
            assert fb.valid and fb.score < 1 and fb.mistake == name, (name, answer, fb)
            assert fb.message.startswith(fam.EXPLAIN[name]) and fb.hint == fam.HINT


def test_coinciding_mistakes_are_none():
    p = value(5, 0, 16)  # i = 0: every exponent is 0, so the exponent slips change nothing
    for name in ("exponent_i_over_d", "index_over_d", "multiplied_instead_of_divided", "dimension_counted_from_1"):
        assert fam.MISTAKES[name](p) is None, name
    assert fam.MISTAKES["sin_cos_swapped"](p) is not None
    assert fam.MISTAKES["halves_not_interleaved"](p) is None and fam.MISTAKES["dimension_counted_from_1"](
        vector(5, 4)) is None
    assert fam.MISTAKES["index_over_d"](value(5, 2, 16)) is None  # even j: j/d is 2i/d, the right exponent


def test_typed_forms_accepted():
    p = value(9, 3, 8)
    for typed in ("0.6216", "0.622", ".622", "≈ 0.62161", "6.216e-1", "0.62161"):
        assert fam.grade(p, typed).correct, typed
    assert not fam.grade(p, "0.63").correct
    q = vector(2, 4)
    for typed in ("0.909 -0.416 0.020 1.000", "[0.909, -0.416, 0.02, 1]", "0.909, −0.416, 0.020, 0.9998",
                  "0.909\n-0.416\n0.020\n1.000"):
        assert fam.grade(q, typed).correct, typed
    fb = fam.grade(q, "0.909 -0.416 0.5 1")
    assert fb.valid and fb.score == 0.75 and fb.cells == [[True, True, False, True]]
    assert not fam.grade(q, "0.909 -0.416").valid
    assert not fam.grade(p, "cos(0.9)").valid


def test_prompt_form_and_worked_solution():
    p = value(9, 3, 8)
    text = fam.prompt(p)
    assert "d_model = 8" in text and "pos = 9" in text and "dimension 3" in text and "radians" in text
    assert fam.answer_form(p) == {"kind": "number"} and fam.answer_form(vector(2, 6)) == {"kind": "vector", "n": 6}
    assert "PE(2, 0), PE(2, 1), PE(2, 2), PE(2, 3)" in fam.prompt(vector(2, 4))
    steps = fam.worked_solution(p)
    assert "Dimension 3 is odd: 3 = 2i+1 with i = 1, so cos." in steps
    assert "angle = 9 / 10 = 0.9 radians" in steps and "PE(9, 3) = cos(0.9) = 0.6216." in steps
    assert fam.worked_solution(vector(2, 4)).endswith("The vector: 0.9093 -0.4161 0.02 0.9998.")
