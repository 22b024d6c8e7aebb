"""A family's grade() in a few lines: grade_number, grade_vector, grade_matrix and grade_shape read the
answer, compare it with the right one, and name the mistake it matches (grade_choice is in
exercises.choices). Unreadable input is Feedback(valid=False), which costs no try."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from exercises.compare import ABS, REL, _describe, cells_close, close
from exercises.feedback import CORRECT, NOT_CORRECT, AnswerError, Feedback, invalid
from exercises.parse import parse_matrix, parse_number, parse_probability, parse_shape, parse_vector

Mistakes = Mapping | Callable[[], Mapping]


def _explain(explain: Mapping[str, str], name: str) -> str:
    return explain.get(name) or f"This is a common mistake ({name.replace('_', ' ')})."


def _mistakes(mistakes: Mistakes) -> Mapping:
    """A grade helper's `mistakes`: a dict, or a function of no arguments returning one, called only
    when the answer is readable and not right (so garbage and right answers cost no mistake maths)."""
    return mistakes() if callable(mistakes) else mistakes


def grade_number(expected: float, text, mistakes: Mistakes, explain: Mapping[str, str], *,
                 rel: float = REL, abs_: float = ABS, percent_ok: bool = False, probability: bool = False,
                 hint: str | None = None) -> Feedback:
    """A number: 1 when close to `expected`; else 0, naming the first mistake whose value (not None,
    not itself close to `expected`) the answer is close to; unreadable input is invalid.
    `mistakes` maps names to numbers or None (or is a function returning that dict). probability: the
    answer is a probability, read by parse_probability (a percentage is fine; outside 0..1 is unreadable)."""
    try:
        got = parse_probability(text) if probability else parse_number(text, percent_ok=percent_ok)
    except AnswerError as e:
        return invalid(str(e))
    if close(got, expected, rel, abs_):
        return Feedback(True, 1.0, CORRECT)
    for name, value in _mistakes(mistakes).items():
        if value is not None and not close(value, expected, rel, abs_) and close(got, value, rel, abs_):
            return Feedback(True, 0.0, _explain(explain, name), mistake=name, hint=hint)
    return Feedback(True, 0.0, NOT_CORRECT, hint=hint)


def _grade_cells(expected: np.ndarray, got: np.ndarray, mistakes: Mistakes, as_answer: Callable,
                 explain: Mapping[str, str], rel: float, abs_: float, hint: str | None) -> Feedback:
    """expected, got: 2-D. as_answer turns a mistake's value into the 2-D form `got` has."""
    ok = cells_close(expected, got, rel, abs_) if got.shape == expected.shape else None
    if ok is not None and ok.all():
        return Feedback(True, 1.0, CORRECT, cells=_grid(ok))
    for name, value in _mistakes(mistakes).items():  # a full match with a mistake's matrix, of any shape
        if value is None:
            continue
        value = as_answer(value)
        if value.shape == got.shape and np.all(close(got, value, rel, abs_)) and not (
                value.shape == expected.shape and np.all(close(value, expected, rel, abs_))):
            if ok is None:
                return Feedback(True, 0.0, _explain(explain, name), mistake=name, hint=hint)
            return Feedback(True, float(ok.mean()), _explain(explain, name) + _count(ok), mistake=name,
                            cells=_grid(ok), hint=hint)
    if ok is None:
        try:
            cells_close(expected, got, rel, abs_)  # raises, saying the shape expected
        except AnswerError as e:
            return invalid(str(e))
    return Feedback(True, float(ok.mean()), NOT_CORRECT + _count(ok), cells=_grid(ok), hint=hint)


def _count(ok: np.ndarray) -> str:
    return f" {int(ok.sum())} of {ok.size} entries are right; the wrong ones are marked."


def _grid(ok: np.ndarray) -> list[list[bool]]:
    return [[bool(v) for v in row] for row in np.atleast_2d(ok)]


def grade_matrix(expected, text, mistakes: Mistakes, explain: Mapping[str, str], *,
                 rel: float = REL, abs_: float = ABS, hint: str | None = None) -> Feedback:
    """A matrix, with partial credit: score = the fraction of right cells, `cells` marks them.

    An answer that matches a mistake's matrix in every cell names that mistake (even where some of
    its cells equal the right answer's; the score stays the fraction of right cells). A shape other
    than the expected one (and no mistake's) is invalid, with a message that says the shape expected.
    `mistakes` maps names to matrices or None (or is a function returning that dict).
    """
    expected = np.atleast_2d(np.asarray(expected, dtype=float))
    try:
        got = parse_matrix(text)
    except AnswerError as e:
        return invalid(str(e))
    return _grade_cells(expected, got, mistakes, lambda v: np.atleast_2d(np.asarray(v, dtype=float)),
                        explain, rel, abs_, hint)


def grade_vector(expected, text, mistakes: Mistakes, explain: Mapping[str, str], *,
                 rel: float = REL, abs_: float = ABS, hint: str | None = None) -> Feedback:
    """A list of numbers, graded like a one-row matrix (cells is one row); typed in a row or a column."""
    expected = np.asarray(expected, dtype=float).reshape(1, -1)
    try:
        got = parse_vector(text).reshape(1, -1)
    except AnswerError as e:
        return invalid(str(e))
    fb = _grade_cells(expected, got, mistakes, lambda v: np.asarray(v, dtype=float).reshape(1, -1),
                      explain, rel, abs_, hint)
    if not fb.valid and got.size != expected.size:
        return invalid(f"Your answer has {_describe((got.size,))}, but this answer has {_describe((expected.size,))}.")
    return fb


def grade_shape(expected: tuple[int, ...], text, mistakes: Mistakes,
                explain: Mapping[str, str], *, hint: str | None = None) -> Feedback:
    """A shape: 1 when every dimension matches, else 0 (naming a mistake's shape when it is one)."""
    try:
        got = parse_shape(text)
    except AnswerError as e:
        return invalid(str(e))
    expected = tuple(int(d) for d in expected)
    if got == expected:
        return Feedback(True, 1.0, CORRECT)
    for name, value in _mistakes(mistakes).items():
        if value is not None and tuple(value) != expected and tuple(value) == got:
            return Feedback(True, 0.0, _explain(explain, name), mistake=name, hint=hint)
    return Feedback(True, 0.0, NOT_CORRECT, hint=hint)
