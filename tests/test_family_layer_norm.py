"""layer_norm: the normalized vector held against torch.nn.functional.layer_norm (with and without
γ and β) over many seeds, each mistake named with its explanation on worked numbers, the typed forms
accepted, partial credit per entry."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import check_family
from exercises.families import layer_norm as fam

PLAIN = {"x": [1, 2, 3, 6], "gamma": None, "beta": None}  # μ = 3, x − μ = [-2, -1, 0, 3], σ² = 14/4 = 3.5
AFFINE = {"x": [1, 2, 3, 6], "gamma": [2.0, 1.0, 0.5, 1.0], "beta": [1.0, 0.0, -1.0, 0.5]}


def test_passes_check_family():
    check_family(fam)


def test_generate_round_numbers_both_kinds():
    ps = [fam.generate(np.random.default_rng(s)) for s in range(300)]
    assert {p["gamma"] is None for p in ps} == {True, False}
    for p in ps:
        assert 4 <= len(p["x"]) <= 6 and all(isinstance(v, int) for v in p["x"]) and np.var(p["x"]) >= 0.5
        if p["gamma"] is not None:
            assert len(p["gamma"]) == len(p["beta"]) == len(p["x"])
            assert all(round(v, 1) == v for v in p["gamma"] + p["beta"])


def test_answers_against_torch_layer_norm_over_many_seeds():
    for seed in range(300):
        p = fam.generate(np.random.default_rng(seed))
        x = torch.tensor(p["x"], dtype=torch.float64)
        w = None if p["gamma"] is None else torch.tensor(p["gamma"], dtype=torch.float64)
        b = None if p["beta"] is None else torch.tensor(p["beta"], dtype=torch.float64)
        expected = torch.nn.functional.layer_norm(x, (len(p["x"]),), w, b, eps=1e-5).numpy()
        np.testing.assert_allclose(fam._answer(p), expected, rtol=1e-12, atol=1e-12)
        typed = " ".join(f"{v:.3f}" for v in expected)  # 3 decimals, as the prompt asks
        assert fam.grade(p, typed).correct, (p, typed)


def test_torch_layer_norm_module_agrees_on_the_worked_example():
    ln = torch.nn.LayerNorm(4, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(AFFINE["gamma"]))
        ln.bias.copy_(torch.tensor(AFFINE["beta"]))
        out = ln(torch.tensor(AFFINE["x"], dtype=torch.float64)).numpy()
    np.testing.assert_allclose(fam._answer(AFFINE), out, rtol=1e-12)


def test_worked_numbers():
    assert fam.solve(PLAIN) == "-1.069 -0.5345 0 1.6036"  # (x − 3) / √3.5
    assert fam.solve(AFFINE) == "-1.1381 -0.5345 -1 2.1036"  # · [2, 1, 0.5, 1] + [1, 0, -1, 0.5]


def test_every_mistake_is_named_with_its_explanation():
    cases = {
        "sample_std": (PLAIN, "-0.926 -0.463 0 1.389"),  # ÷ √(14/3)
        "divided_by_variance": (PLAIN, "-0.571 -0.286 0 0.857"),  # ÷ 3.5
        "forgot_mean": (PLAIN, "0.535 1.069 1.604 3.207"),  # x ÷ √3.5
        "forgot_division": (PLAIN, "-2 -1 0 3"),
        "used_l2_norm": (PLAIN, "0.141 0.283 0.424 0.849"),  # x ÷ √50
        "used_rms_norm": (PLAIN, "0.283 0.566 0.849 1.697"),  # x ÷ √(50/4)
        "forgot_gamma_beta": (AFFINE, "-1.069 -0.535 0 1.604"),
        "shift_before_scale": (AFFINE, "-0.138 -0.535 -0.5 2.104"),  # (x̂ + β) · γ
    }
    assert set(cases) == set(fam.MISTAKES) == set(fam.EXPLAIN)
    for name, (p, typed) in cases.items():
        assert fam.MISTAKES[name](p) is not None, name
        for answer in (typed, fam.MISTAKES[name](p)):
            fb = fam.grade(p, answer)
            assert fb.valid and fb.score < 1 and fb.mistake == name, (name, answer, fb)
            assert fb.message.startswith(fam.EXPLAIN[name]) and fb.hint == fam.HINT and fb.cells is not None
    fb = fam.grade(AFFINE, "-0.138 -0.535 -0.5 2.104")  # two entries agree with the right answer
    assert fb.score == 0.5 and fb.cells == [[False, True, False, True]]


def test_mistakes_that_do_not_apply_or_coincide_are_none():
    assert fam.MISTAKES["forgot_gamma_beta"](PLAIN) is None
    assert fam.MISTAKES["shift_before_scale"](PLAIN) is None
    centred = {"x": [-3, -1, 1, 3], "gamma": None, "beta": None}  # mean 0: forgetting it changes nothing
    assert fam.MISTAKES["forgot_mean"](centred) is None
    unit = {"x": [-1, 1, -1, 1], "gamma": None, "beta": None}  # σ² = 1: σ and σ² divide alike
    assert fam.MISTAKES["divided_by_variance"](unit) is None and fam.MISTAKES["forgot_division"](unit) is None
    scale_only = {"x": [1, 2, 3, 6], "gamma": [2.0, 2.0, 2.0, 2.0], "beta": [0.0, 0.0, 0.0, 0.0]}
    assert fam.MISTAKES["shift_before_scale"](scale_only) is None


def test_typed_forms_accepted():
    for typed in ("-1.069 -0.535 0 1.604", "-1.069, -0.5345, 0, 1.6036", "[-1.069, -0.535, 0.000, 1.604]",
                  "(−1.069, −0.535, 0, 1.604)", "-1.069\n-0.535\n0\n1.604", "-1.07 -0.535 0 1.6"):
        assert fam.grade(PLAIN, typed).correct, typed
    fb = fam.grade(PLAIN, "-1.069 -0.535 0.5 1.604")
    assert fb.valid and fb.score == 0.75 and fb.mistake is None
    assert not fam.grade(PLAIN, "-1.069 -0.535 0").valid  # 3 numbers for 4: no attempt lost
    assert not fam.grade(PLAIN, "-1.069 -0.535 zero 1.604").valid


def test_prompt_tables_form_and_worked_solution():
    text = fam.prompt(AFFINE)
    assert "x = [1, 2, 3, 6]" in text and "γ = [2, 1, 0.5, 1]" in text and "β = [1, 0, -1, 0.5]" in text
    assert "dividing by d = 4" in text and "ε = 1e-5" in text
    assert "γ" not in fam.prompt(PLAIN)
    assert fam.tables(AFFINE) == {"x": [1.0, 2.0, 3.0, 6.0], "γ": AFFINE["gamma"], "β": AFFINE["beta"]}
    assert fam.tables(PLAIN) == {"x": [1.0, 2.0, 3.0, 6.0]}
    assert fam.answer_form(PLAIN) == {"kind": "vector", "n": 4}
    steps = fam.worked_solution(AFFINE)
    assert "μ = (1 + 2 + 3 + 6) / 4 = 3." in steps and "x − μ = [-2, -1, 0, 3]." in steps
    assert "= 3.5; √(σ² + ε) = 1.8708." in steps and "γ · x̂ + β = [-1.1381, -0.5345, -1, 2.1036]." in steps
