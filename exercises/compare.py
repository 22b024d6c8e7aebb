"""Comparing numbers with a tolerance: close, cells_close (a matrix cell by cell), unless_close."""

from __future__ import annotations

import numpy as np

from exercises.feedback import AnswerError

REL = 1e-2  # relative tolerance of every number comparison, unless a family needs other
ABS = 1e-3  # absolute tolerance (answers near zero)


def close(a, b, rel: float = REL, abs_: float = ABS):
    """|a - b| <= max(abs_, rel * max(|a|, |b|)), elementwise (numpy broadcasting); NaN is never
    close to anything, equal infinities are close. A bool for scalars, a bool array otherwise."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        tol = np.maximum(abs_, rel * np.maximum(np.abs(a), np.abs(b)))
        diff = np.abs(a - b)
        out = (np.isfinite(diff) & (diff <= tol)) | (np.isinf(a) & (a == b))
    return bool(out) if out.ndim == 0 else out


def _describe(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"{shape[0]} number{'s' * (shape[0] != 1)}"
    r, c = shape
    return f"{r} row{'s' * (r != 1)} and {c} column{'s' * (c != 1)} ({r}×{c})"


def cells_close(expected, got, rel: float = REL, abs_: float = ABS) -> np.ndarray:
    """Boolean array of the expected shape, True where `got` is close. A different shape raises
    AnswerError with a message that says the shape expected."""
    expected = np.asarray(expected, dtype=float)
    got = np.asarray(got, dtype=float)
    if expected.shape != got.shape:
        raise AnswerError(f"Your answer has {_describe(got.shape)}, but this answer has {_describe(expected.shape)}.")
    return np.asarray(close(got, expected, rel, abs_), dtype=bool)


def unless_close(wrong, right, *others, rel: float = REL, abs_: float = ABS):
    """`wrong`, or None when a grader could not tell it from `right` or from any of `others` (earlier
    mistakes' answers; None entries are skipped). Families use it, through distinct, so each MISTAKES
    entry returns None where it would be graded right or as another mistake."""
    if wrong is None:
        return None
    w = np.asarray(wrong, dtype=float)
    for other in (right, *others):
        if other is None:
            continue
        o = np.asarray(other, dtype=float)
        if o.shape == w.shape and np.all(close(w, o, rel, abs_)):
            return None
    return wrong
