"""Sinusoidal positional encoding: PE(pos, 2i) = sin(pos / 10000^(2i/d_model)) and
PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model)).

Two questions (`ask`):

    value    one entry: position pos (1..10) and dimension j (counted from 0) of a d_model from
             4 to 512; the student works out i = j // 2 and whether j is even (sin) or odd (cos)
    vector   the whole encoding of position pos for a small d_model (4, 6 or 8)

core.attention.positional_encoding gives the answer. The typical wrong answers come from the same
formula with one slip (_entry, SLIPS), such as sin and cos swapped or the exponent i/d_model.
"""

from __future__ import annotations

import math

import numpy as np

from core.attention import positional_encoding
from exercises.formatting import KEEP_PRECISION, format_answer
from exercises.grading import grade_number, grade_vector
from exercises.mistakes import distinct, per_variant, typed_mistakes

ID = "positional_encoding"
TITLE = "Positional encoding values"
TOPIC = "positional encoding"

VALUE_D_MODELS = (4, 8, 16, 32, 64, 128, 512)
VECTOR_D_MODELS = (4, 6, 8)
MAX_J = 9  # value asks use the first dimensions, where the angles are not all tiny

FORMULA = ("PE(pos, 2i) = sin(pos / 10000^(2i/d_model)) and PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model)), "
           "with angles in radians")

EXPLAIN = {
    "sin_cos_swapped": "You swapped sin and cos: even dimensions (2i) use sin, odd dimensions (2i+1) use cos.",
    "exponent_i_over_d": "You used 10000^(i/d_model): the exponent is 2i/d_model, twice i over d_model.",
    "index_used_as_i": "You put the dimension index itself in place of i: dimension j is 2i or 2i+1, so i = j // 2 "
                       "(dimension 5 has i = 2), and the exponent is 2i/d_model.",
    "index_over_d": "You used 10000^(j/d_model) with the odd dimension j = 2i+1: both dimensions 2i and 2i+1 share "
                    "the exponent 2i/d_model, so the odd one uses the even one's frequency.",
    "degrees": "You took sin or cos in degrees: the angle pos / 10000^(2i/d_model) is in radians (set the "
               "calculator to radians).",
    "multiplied_instead_of_divided": "You multiplied pos by 10000^(2i/d_model): divide pos by it, so higher "
                                     "dimensions turn more slowly.",
    "dimension_counted_from_1": "You counted dimensions from 1: dimension 0 is the first one, so dimension j is the "
                                "(j+1)-th number of the vector.",
    "halves_not_interleaved": "You put all the sines first and all the cosines after: sin and cos alternate, "
                              "sin in dimensions 0, 2, 4, ... and cos in 1, 3, 5, ...",
}
HINT = ("Dimension j: i = j // 2; the angle is pos / 10000^(2i/d_model) in radians; even j takes sin of it, odd j "
        "takes cos.")


def generate(rng: np.random.Generator) -> dict:
    pos = int(rng.integers(1, 11))
    if rng.random() < 0.65:
        d_model = int(rng.choice(VALUE_D_MODELS))
        j = int(rng.integers(0, min(d_model - 1, MAX_J) + 1))
        return {"ask": "value", "pos": pos, "j": j, "d_model": d_model}
    return {"ask": "vector", "pos": pos, "j": None, "d_model": int(rng.choice(VECTOR_D_MODELS))}


def _pe_row(p: dict) -> np.ndarray:  # [d_model], the encoding of position pos
    return positional_encoding(p["pos"] + 1, p["d_model"])[p["pos"]]


def _answer(p: dict):
    row = _pe_row(p)
    return float(row[p["j"]]) if p["ask"] == "value" else row


def _entry(pos: int, j: int, d: int, *, swap: bool = False, exponent=None, degrees: bool = False,
           multiply: bool = False) -> float:
    """PE(pos, j) with one slip: a wrong exponent (a function of j, i and d), sin and cos swapped,
    trig in degrees, or pos multiplied by 10000^(...) instead of divided."""
    i = j // 2
    scale = 10000.0 ** (exponent or (lambda j, i, d: 2 * i / d))(j, i, d)
    angle = pos * scale if multiply else pos / scale
    if degrees:
        angle = math.radians(angle)
    return math.sin(angle) if (j % 2 == 0) != swap else math.cos(angle)


def _row(pos: int, d: int, *, halves: bool = False, **slip) -> np.ndarray:
    """The encoding of position pos with a slip of _entry's, or with the sines first and the cosines
    after instead of interleaved (halves)."""
    out = np.array([_entry(pos, j, d, **slip) for j in range(d)])
    if halves:  # [sin(w_0 pos), sin(w_1 pos), ..., cos(w_0 pos), cos(w_1 pos), ...]
        out = np.concatenate([out[0::2], out[1::2]])
    return out


SLIPS = {  # mistake -> the slip of _entry that makes it
    "sin_cos_swapped": {"swap": True},
    "exponent_i_over_d": {"exponent": lambda j, i, d: i / d},
    "index_used_as_i": {"exponent": lambda j, i, d: 2 * j / d},
    "index_over_d": {"exponent": lambda j, i, d: j / d},
    "degrees": {"degrees": True},
    "multiplied_instead_of_divided": {"multiply": True},
}


def _candidates(p: dict) -> dict:
    pos, d = p["pos"], p["d_model"]
    if p["ask"] == "value":
        j = p["j"]
        c = {name: _entry(pos, j, d, **slip) for name, slip in SLIPS.items()}
        c["dimension_counted_from_1"] = float(_pe_row(p)[j - 1]) if j >= 1 else None
        c["halves_not_interleaved"] = None
    else:
        c = {name: _row(pos, d, **slip) for name, slip in SLIPS.items()}
        c["dimension_counted_from_1"] = None
        c["halves_not_interleaved"] = _row(pos, d, halves=True)
    return c


@per_variant
def _mistakes(p: dict) -> dict:
    """The typical wrong answers, in MISTAKES order; None where one equals the right answer or an
    earlier mistake's (the grader could not tell them apart), or does not apply to this ask."""
    return distinct(_candidates(p), _answer(p), names=EXPLAIN)


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def prompt(p: dict) -> str:
    pos, d = p["pos"], p["d_model"]
    intro = f"The sinusoidal positional encoding of \"Attention Is All You Need\" is {FORMULA}. "
    if p["ask"] == "value":
        return intro + (f"With d_model = {d}, what is the encoding of position pos = {pos} in dimension {p['j']} "
                        f"(positions and dimensions counted from 0)? {KEEP_PRECISION} Give the number with at least 3 decimals.")
    entries = ", ".join(f"PE({pos}, {j})" for j in range(d))
    return intro + (f"With d_model = {d}, give the whole encoding vector of position pos = {pos}: the {d} numbers "
                    f"{entries} in order, separated by spaces, each with at least 3 decimals. {KEEP_PRECISION}")


def answer_form(p: dict) -> dict:
    return {"kind": "number"} if p["ask"] == "value" else {"kind": "vector", "n": p["d_model"]}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def _f(x: float) -> str:
    return format_answer(float(x))


def _entry_steps(pos: int, j: int, d: int) -> list[str]:
    i = j // 2
    scale = 10000.0 ** (2 * i / d)
    angle = pos / scale
    value = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    kind = f"even: {j} = 2i with i = {i}, so sin" if j % 2 == 0 else f"odd: {j} = 2i+1 with i = {i}, so cos"
    trig = "sin" if j % 2 == 0 else "cos"
    return [f"Dimension {j} is {kind}.",
            f"2i/d_model = {2 * i}/{d} = {_f(2 * i / d)}; 10000^{_f(2 * i / d)} = {_f(scale)}; "
            f"angle = {pos} / {_f(scale)} = {_f(angle)} radians.",
            f"PE({pos}, {j}) = {trig}({_f(angle)}) = {_f(value)}."]


def worked_solution(p: dict) -> str:
    pos, d = p["pos"], p["d_model"]
    if p["ask"] == "value":
        return "\n".join(_entry_steps(pos, p["j"], d))
    lines = []
    for j in range(d):
        lines += _entry_steps(pos, j, d)
    lines.append(f"The vector: {solve(p)}.")
    return "\n".join(lines)


def grade(p: dict, answer):
    if p["ask"] == "value":
        return grade_number(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
    return grade_vector(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
