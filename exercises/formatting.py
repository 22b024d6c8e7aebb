"""Writing answers the way a person types them: format_answer (what solve() returns, as typed) and
bracketed (a vector or matrix written inline in a prompt)."""

from __future__ import annotations

import numpy as np

from core.matrix_text import format_number


def format_answer(value, decimals: int = 4) -> str:
    """What a family's solve() returns: a number ('0.2447', '3', '1.5e-05'), a vector on one line
    ('0.2447 0.6652 0.09'), a matrix with rows split by '; ', a shape (a tuple of ints: '20 x 768'),
    or a str unchanged. Every form reads back through the matching parser."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in value):
        return " x ".join(str(int(d)) for d in value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return format_number(float(value), decimals)
    a = np.asarray(value, dtype=float)
    if a.ndim == 1:
        return " ".join(format_number(v, decimals) for v in a)
    if a.ndim == 2:
        return "; ".join(" ".join(format_number(v, decimals) for v in row) for row in a)
    raise ValueError(f"format_answer: cannot write a value with {a.ndim} dimensions")


def bracketed(values, decimals: int = 4) -> str:
    """A vector or matrix as a prompt writes it inline, each entry by format_answer: [1, -2, 0.5] or
    [[1, 2], [3, 4]] (lists, tuples or numpy arrays, nested)."""
    if isinstance(values, (list, tuple, np.ndarray)):
        return "[" + ", ".join(bracketed(v, decimals) for v in values) + "]"
    return format_answer(values, decimals)


# what a prompt with a multi-step computation says about rounding (the README's "How answers are graded"):
# answers are compared at 1% (REL) of the right one, computed in full precision, so rounding an intermediate
# value to 2 decimals can push the final answer outside it
KEEP_PRECISION = "Keep full precision in every intermediate step; round only the final answer."
