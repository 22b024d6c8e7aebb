"""Layer normalization of one token's vector: (x − μ) / √(σ² + ε), then · γ + β.

x has 4 to 6 whole numbers (not all equal, variance at least 0.5); in some variants a gain γ and a
bias β (one decimal) follow, as in torch.nn.LayerNorm with elementwise_affine. σ² is the biased
variance (dividing by d) and ε = 1e-5, as in torch; core.attention.layer_norm computes the answer.
"""

from __future__ import annotations

import numpy as np

from core.attention import layer_norm
from exercises.formatting import KEEP_PRECISION, bracketed, format_answer
from exercises.grading import grade_vector
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "layer_norm"
TITLE = "Layer normalization of a vector"
TOPIC = "layer normalization"

EPS = 1e-5
GAMMAS = (0.5, 1.0, 1.5, 2.0, 3.0)
BETAS = (-1.0, -0.5, 0.0, 0.5, 1.0, 2.0)

EXPLAIN = {
    "sample_std": "You divided by the sample standard deviation (dividing the squared deviations by d − 1): "
                  "layer normalization uses the population variance, their mean, dividing by d.",
    "divided_by_variance": "You divided by the variance σ²: divide by the standard deviation, √(σ² + ε).",
    "forgot_mean": "You divided x by the standard deviation without subtracting the mean first: use (x − μ) / σ.",
    "forgot_division": "You only subtracted the mean: divide (x − μ) by the standard deviation √(σ² + ε) too.",
    "used_l2_norm": "You divided x by its length ‖x‖: layer normalization subtracts the mean μ and divides by the "
                    "standard deviation σ.",
    "used_rms_norm": "You divided x by its root mean square √(mean of x²) (that is RMSNorm): layer normalization "
                     "first subtracts the mean, then divides by the standard deviation.",
    "forgot_gamma_beta": "You stopped after normalizing: multiply by the gain γ and add the bias β, entry by entry.",
    "shift_before_scale": "You added β before multiplying by γ: the output is γ · x̂ + β, scale first, then shift.",
}
HINT = ("μ = mean of x; σ² = mean of (x − μ)² (divide by d, the number of entries); x̂ = (x − μ) / √(σ² + ε); "
        "then y = γ · x̂ + β entry by entry when γ and β are given.")


def generate(rng: np.random.Generator) -> dict:
    d = int(rng.integers(4, 7))
    while True:
        x = [int(v) for v in rng.integers(-4, 10, size=d)]
        if float(np.var(x)) >= 0.5:
            break
    affine = bool(rng.random() < 0.4)
    gamma = [float(rng.choice(GAMMAS)) for _ in range(d)] if affine else None
    beta = [float(rng.choice(BETAS)) for _ in range(d)] if affine else None
    return {"x": x, "gamma": gamma, "beta": beta}


def _x(p: dict) -> np.ndarray:
    return np.array(p["x"], dtype=float)


def _gb(p: dict) -> tuple[np.ndarray | None, np.ndarray | None]:
    g = None if p["gamma"] is None else np.array(p["gamma"], dtype=float)
    b = None if p["beta"] is None else np.array(p["beta"], dtype=float)
    return g, b


def _answer(p: dict) -> np.ndarray:
    return layer_norm(_x(p), *_gb(p), eps=EPS)


@per_variant
def _mistakes(p: dict) -> dict:
    """The typical wrong answers, in MISTAKES order; None where one equals the right answer or an
    earlier mistake's, or does not apply (γ and β slips without γ and β)."""
    x = _x(p)
    g, b = _gb(p)
    affine = g is not None

    def gb(z):  # the student's last step, done right
        return z * g + b if affine else z

    mu, var = x.mean(), x.var()
    candidates = {
        "sample_std": gb((x - mu) / np.sqrt(x.var(ddof=1) + EPS)),
        "divided_by_variance": gb((x - mu) / (var + EPS)),
        "forgot_mean": gb(x / np.sqrt(var + EPS)),
        "forgot_division": gb(x - mu),
        "used_l2_norm": gb(x / np.linalg.norm(x)) if np.any(x) else None,
        "used_rms_norm": gb(x / np.sqrt(np.mean(x * x) + EPS)),
        "forgot_gamma_beta": layer_norm(x, eps=EPS) if affine else None,
        "shift_before_scale": (layer_norm(x, eps=EPS) + b) * g if affine else None,
    }
    return distinct(candidates, _answer(p))


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def prompt(p: dict) -> str:
    d = len(p["x"])
    if p["gamma"] is None:
        rule = ("LayerNorm(x) = (x − μ) / √(σ² + ε), where μ is the mean of x's entries and σ² their variance "
                f"(the mean of (x − μ)², dividing by d = {d}), with ε = 1e-5 (too small to matter here).")
        given = f"x = {bracketed(p['x'])}"
    else:
        rule = ("LayerNorm(x) = γ · (x − μ) / √(σ² + ε) + β, entry by entry, where μ is the mean of x's entries "
                f"and σ² their variance (the mean of (x − μ)², dividing by d = {d}), with ε = 1e-5 (too small to "
                "matter here).")
        given = (f"x = {bracketed(p['x'])}, gain γ = {bracketed(p['gamma'])} and bias β = {bracketed(p['beta'])} "
                 "(shown below)")
    return (f"Layer normalization, as in torch.nn.LayerNorm: {rule} Normalize the token vector {given}. "
            f"{KEEP_PRECISION} Give the {d} values in order, separated by spaces, each with at least 3 decimals.")


def answer_form(p: dict) -> dict:
    return {"kind": "vector", "n": len(p["x"])}


def tables(p: dict) -> dict:
    out = {"x": [float(v) for v in p["x"]]}
    if p["gamma"] is not None:
        out["γ"] = list(p["gamma"])
        out["β"] = list(p["beta"])
    return out


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def worked_solution(p: dict) -> str:
    x = _x(p)
    d = len(x)
    mu = float(x.mean())
    dev = x - mu
    var = float(x.var())
    std = float(np.sqrt(var + EPS))
    xhat = layer_norm(x, eps=EPS)
    total = format_answer(float(x[0])) + "".join(f" − {format_answer(float(-v))}" if v < 0 else
                                                 f" + {format_answer(float(v))}" for v in x[1:])
    lines = [f"μ = ({total}) / {d} = {format_answer(mu)}.",
             f"x − μ = {bracketed(dev)}.",
             f"σ² = mean of the squares = ({' + '.join(format_answer(float(v * v)) for v in dev)}) / {d} = "
             f"{format_answer(var)}; √(σ² + ε) = {format_answer(std)}.",
             f"x̂ = (x − μ) / {format_answer(std)} = {bracketed(xhat)}."]
    if p["gamma"] is not None:
        lines.append(f"γ · x̂ + β = {bracketed(_answer(p))}.")
    return "\n".join(lines)


def grade(p: dict, answer):
    return grade_vector(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
