"""What every exercise family is built on: reading typed answers, comparing them, grading them,
choosing a student's variant, and the self-test each family must pass.

The family contract (DESIGN.md, "Contracts"): a family is a module with ID, TITLE, TOPIC,
`generate(rng) -> params` (JSON-safe), `prompt(params) -> str`, `solve(params)`,
`grade(params, answer) -> Feedback` and MISTAKES, a dict from a mistake's name to a function of params
that returns the typical wrong answer (or None where, for those params, it would be graded right or
equal an earlier mistake's). `check_family(module)` holds a family to all of it.

Optional attributes, used by the Exercises page and the dashboard when present (check_family checks
each one a family has):

    answer_form(params) -> dict   which input the page shows: {"kind": "number"}, {"kind": "vector", "n": 3},
                                  {"kind": "matrix", "rows": 3, "cols": 3}, {"kind": "shape"},
                                  {"kind": "choice", "options": [str, ...]} (solve's answer is one of them),
                                  {"kind": "word"}. Without it the page shows a text box.
    tables(params) -> dict        named matrices or vectors the prompt refers to ("X", "W_Q"), shown as tables
                                  under it: {name: list of rows (lists of numbers)} or {name: list of numbers}.
    HINT (str) or hint(params)    the hint shown after a wrong try (grade also puts it in Feedback.hint).
    worked_solution(params) -> str  plain-text steps, lines split by "\n", shown after the last allowed
                                  try or a right answer, never before.
    steps(params) -> list[core.steps.Step]  the page 1 walk-through for these numbers (attention families).
    FIXED: dict[str, params]      named fixed variants an assignment can ask for (e.g. "lecture": ICE #1's
                                  own matrices); each passes the same checks as a generated one.

Every text a family returns (prompt, messages, hints, worked solutions, options) is plain text: the page
escapes markdown, so write formulas in Unicode (√d_k, Qᵀ, ·, ×), never LaTeX or markdown.

Grading never raises. A parser raises only AnswerError (a format error: the input could not be read),
and the grade_* helpers turn it into Feedback(valid=False, ...), which costs the student no attempt.

Accepted input, by parser:
    parse_number   3   -0.25   .5   1/3   2.5e-3   3 × 10^-2   −1 (Unicode minus)   ≈ 0.33   ~0.33
                   15,360 (commas only in exact thousands groups)   25% (only when percent_ok: 0.25)
    parse_vector   0.2 0.3 0.5   0.2, 0.3, 0.5   [0.2, 0.3, 0.5]   (0.2, 0.3, 0.5)   one number per line
    parse_matrix   1 2; 3 4   [[1, 2], [3, 4]]   one row per line   rows from a grid editor (core.matrix_text)
    parse_shape    20 x 768   20×768   20 by 768   (20, 768)   [20, 768]   20,768   768   (768,)
    parse_choice   the option's text (any case), its number 1..n, or its letter a / D) / (c) when lettered
    parse_word     any case, spaces collapsed, surrounding quotes and punctuation dropped
Numbers compare with `close`: |a - b| <= max(abs_, rel * max(|a|, |b|)), rel 1e-2 and abs 1e-3 by default.

What families share beyond grading (a family's own maths stays in the family):
    distinct(candidates, right)    the mistakes' values in order, None where one equals the right answer or an
                                   earlier one (unless_close each in turn); names= fixes the order
    @per_variant                   a function of params memoised on their JSON text (the mistakes, which every
                                   MISTAKES entry and every grade of a wrong answer ask for again)
    typed_mistakes(fn, names)      MISTAKES from that function: each entry writes its value as typed
    bracketed(values)              a vector or matrix written inline in a prompt: [1, 2] or [[1, 2], [3, 4]]
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TypeVar

import numpy as np

from core import matrix_text
from core.matrix_text import MatrixInputError, format_number

REL = 1e-2  # relative tolerance of every number comparison, unless a family needs other
ABS = 1e-3  # absolute tolerance (answers near zero)
MAX_CHARS = 4000  # longer input is refused before any parsing (a 16×16 matrix of 8-digit numbers fits)
MAX_NUMBER_CHARS = 100  # one number; also the longest token inside a vector or matrix
MAX_WORD_CHARS = 200
MAX_SHAPE_DIMS = 8

CORRECT = "Correct."
NOT_CORRECT = "Not correct."


# ---------------------------------------------------------------------------------------------
# feedback


@dataclass(frozen=True)
class Feedback:
    """The result of grading one answer.

    valid:   False when the input could not be read (a format error): it costs no attempt, score is 0,
             mistake is None and message says what to fix.
    score:   0..1. 1 is fully right; a matrix or vector answer earns the fraction of right cells.
    message: plain text (no markdown) for the student: "Correct.", what to fix, or the named mistake.
    mistake: the MISTAKES key this answer was recognized as, or None.
    cells:   matrix and vector answers (valid and of the right shape): a nested list of booleans, one
             row per matrix row (a vector is one row), True where the cell is right; otherwise None.
    hint:    a hint the page may show after a wrong try (None when the answer is right or unread).
    """

    valid: bool
    score: float
    message: str
    mistake: str | None = None
    cells: list[list[bool]] | None = None
    hint: str | None = None

    def __post_init__(self):
        if not isinstance(self.message, str) or not self.message:
            raise ValueError("Feedback.message must be a non-empty str")
        if not (0.0 <= self.score <= 1.0):
            raise ValueError(f"Feedback.score must be within 0..1, not {self.score!r}")
        if not self.valid and (self.score != 0 or self.mistake is not None):
            raise ValueError("invalid Feedback has score 0 and no mistake")

    @property
    def correct(self) -> bool:
        return self.valid and self.score >= 1.0

    def to_dict(self) -> dict:
        """JSON-safe, for the gradebook."""
        return {"valid": self.valid, "score": float(self.score), "message": self.message, "mistake": self.mistake,
                "cells": self.cells, "hint": self.hint}


class AnswerError(ValueError):
    """Typed input that could not be read; str(error) says what to fix. Costs no attempt."""


def invalid(message: str) -> Feedback:
    return Feedback(valid=False, score=0.0, message=message)


# ---------------------------------------------------------------------------------------------
# parsers: each raises only AnswerError, whatever it is given


_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-", "\uff0d": "-"})
_APPROX = re.compile(r"^(?:≈|~|=|approx\.?|about)\s*", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_TIMES_TEN = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:[x×*·]|\\times|\\cdot)\s*10\s*(?:\^|\*\*)\s*\{?\s*([+-]?\d{1,4})\s*\}?$")


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")


def _shown(text: str, limit: int = 20) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _text(value, what: str) -> str:
    """A str to parse: None and blank are 'empty', overlong input is refused."""
    if value is None:
        raise AnswerError(f"Your answer is empty: type {what}.")
    if not isinstance(value, str):
        raise AnswerError(f"Your answer could not be read: type {what}.")
    if len(value) > MAX_CHARS:
        raise AnswerError(f"Your answer is {len(value):,} characters long, too long to be {what}.")
    # superscripts first (NFKC would read 10² as 102): 3×10⁻² -> 3×10^-2; then full-width and
    # compatibility forms (０.５, ½) -> plain ones, the fraction slash -> '/'
    value = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), value)
    text = unicodedata.normalize("NFKC", value).replace("\u2044", "/").strip()
    if not text:
        raise AnswerError(f"Your answer is empty: type {what}.")
    return text


def _real(value, where: str = "Your answer") -> float:
    """A number given as a number (what a family's solve() may return), checked finite."""
    if isinstance(value, (bool, np.bool_)):
        raise AnswerError(f"{where} is {value}, which is not a number.")
    try:
        x = float(value)
    except (OverflowError, TypeError, ValueError):
        raise AnswerError(f"{where} is not a number it can read, or is too large.") from None
    if not math.isfinite(x):
        raise AnswerError(f"{where} is '{x}': only finite numbers are allowed here.")
    return x


def _cap(message: str) -> str:
    return message[:1].upper() + message[1:]


def parse_number(text, percent_ok: bool = False) -> float:
    """One number as a person types it -> float.

    Integers, decimals, fractions (1/3), scientific notation (2e-3, 2 × 10^-3), the Unicode minus, a
    leading ≈ or ~ (a rounded value), and thousands separators only in exact groups of three
    (15,360 is 15360; 1,5 is refused with a message, since it may be a European decimal or two
    numbers). A trailing % divides by 100 when percent_ok, and is refused with a message otherwise.
    Numbers given as numbers (int, float) are accepted when finite.
    """
    if isinstance(text, (int, float, np.integer, np.floating)):
        return _real(text)
    t = _text(text, "a number, like 0.25 or 1/4")
    if len(t) > MAX_NUMBER_CHARS:
        raise AnswerError(f"Your answer is {len(t)} characters long, too long for one number.")
    t = _APPROX.sub("", t.translate(_MINUSES)).strip()
    scale = 1.0
    if t.endswith("%"):
        if not percent_ok:
            raise AnswerError("This answer is not a percentage: type a plain number (0.25 rather than 25%).")
        t, scale = t[:-1].strip(), 0.01
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    elif _DECIMAL_COMMA.match(t):
        raise AnswerError(f"Your answer is '{t}': write decimals with a point (like 0.25), and one number only.")
    m = _TIMES_TEN.match(t)
    if m:
        t = f"{m.group(1)}e{m.group(2)}"
    if not t:
        raise AnswerError("Your answer has no number in it: type a number, like 0.25 or 1/4.")
    try:
        value = matrix_text.parse_number(t, "Your answer")
    except MatrixInputError as e:
        raise AnswerError(str(e)) from None
    return value * scale


def _bracket_fix(t: str) -> str:
    """(1, 2) and ((1, 2), (3, 4)) read like [1, 2] and [[1, 2], [3, 4]]: numbers never hold brackets."""
    return t.replace("(", "[").replace(")", "]") if "(" in t or ")" in t else t


def _check_tokens(t: str) -> None:
    longest = max((len(tok) for tok in re.split(r"[\s,;\[\]]+", t)), default=0)
    if longest > MAX_NUMBER_CHARS:
        raise AnswerError(f"Your answer has an entry {longest} characters long, too long for one number.")


def parse_matrix(text, name: str = "your answer") -> np.ndarray:
    """A matrix -> float array [rows, cols], through core.matrix_text (at most 16×16).

    Text in any format core.matrix_text reads (1 2; 3 4, [[1, 2], [3, 4]], one row per line), round
    brackets like square ones, or rows of entries as a grid editor (or a family's solve) gives them."""
    if text is None or isinstance(text, str):
        t = _text(text, "a matrix, one row per line or rows split by ';' (like 1 2; 3 4)")
        t = _bracket_fix(_APPROX.sub("", t))
        _check_tokens(t)
        return _cap_error(matrix_text.parse_matrix, t, name)
    if isinstance(text, np.ndarray):
        a = text
        if a.ndim > 2 or a.size == 0:
            raise AnswerError("Your answer is not a matrix of numbers.")
        rows = np.atleast_2d(a).tolist()
    elif isinstance(text, (list, tuple)):
        rows = list(text)
        if rows and not any(isinstance(r, (list, tuple, np.ndarray)) for r in rows):
            rows = [rows]  # one row
        elif not all(isinstance(r, (list, tuple, np.ndarray)) for r in rows):
            raise AnswerError("Your answer mixes rows and single numbers: give one list per row.")
        if any(isinstance(r, np.ndarray) and r.ndim != 1 for r in rows):
            raise AnswerError("Your answer is nested deeper than a matrix.")
        if any(isinstance(e, (list, tuple, np.ndarray)) for r in rows for e in r):
            raise AnswerError("Your answer is nested deeper than a matrix: use one list per row.")
    else:
        raise AnswerError("Your answer could not be read: type a matrix, like 1 2; 3 4.")
    return _cap_error(matrix_text.matrix_from_rows, rows, name)


def _cap_error(fn, value, name):
    try:
        return fn(value, name)
    except MatrixInputError as e:
        raise AnswerError(_cap(str(e))) from None


def parse_vector(text) -> np.ndarray:
    """A list of numbers -> float array [n]: typed on one line, one per line, or in brackets."""
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        return np.array([_real(text)])
    if isinstance(text, np.ndarray) and text.ndim == 2 and 1 not in text.shape:
        raise AnswerError(f"Your answer has {text.shape[0]} rows of {text.shape[1]} numbers: "
                          f"this answer is one list of numbers.")
    a = parse_matrix(text)
    if a.shape[0] > 1 and a.shape[1] > 1:
        raise AnswerError(f"Your answer has {a.shape[0]} rows of {a.shape[1]} numbers: this answer is one list "
                          f"of numbers, on one line (like 0.2 0.3 0.5).")
    return a.reshape(-1)


_SHAPE_SPLIT = re.compile(r"\s*(?:[x×X*,]|\bby\b)\s*|\s+")


def parse_shape(text) -> tuple[int, ...]:
    """A tensor shape -> tuple of positive ints: 20 x 768, 20×768, 20 by 768, (20, 768), [20, 768],
    20,768 (commas separate dimensions here), 768 or (768,) for one dimension, torch.Size([20, 768])."""
    if isinstance(text, (tuple, list)) and not isinstance(text, str):
        dims = list(text)
        if not dims or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims):
            raise AnswerError("Your answer is not a shape: give whole numbers, like 20 x 768.")
        text = " x ".join(str(int(d)) for d in dims)
    elif isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        text = str(int(text))
    t = _text(text, "a shape, like 20 x 768")
    t = re.sub(r"^(?:torch\.)?size\s*", "", t, flags=re.IGNORECASE)
    t = re.sub(r"^shape\s*[:=]?\s*", "", t, flags=re.IGNORECASE)
    opens, closes = sum(t.count(c) for c in "([{"), sum(t.count(c) for c in ")]}")
    if opens != closes:
        raise AnswerError("The brackets of your answer do not match: write a shape like (20, 768) or 20 x 768.")
    while len(t) >= 2 and t[0] in "([{" and t[-1] in ")]}":
        t = t[1:-1].strip()
    if any(c in t for c in "()[]{}"):
        raise AnswerError("Your answer has brackets inside the shape: write it like (20, 768) or 20 x 768.")
    if t.endswith(","):  # Python's one-element tuple (768,)
        t = t[:-1].strip()
    if not t:
        raise AnswerError("Your answer has no numbers: write a shape like 20 x 768.")
    parts = _SHAPE_SPLIT.split(t)
    if any(p == "" for p in parts):
        raise AnswerError("Your answer has a separator with no number beside it: write a shape like 20 x 768.")
    dims = []
    for p in parts:
        if re.fullmatch(r"\d{1,12}", p):
            d = int(p)
        elif re.fullmatch(r"\d{1,12}\.0*", p):
            d = int(p.split(".")[0])
        elif re.fullmatch(r"\d{13,}", p):
            raise AnswerError(f"Your answer has '{_shown(p)}', too large for a dimension of a shape.")
        elif re.fullmatch(r"[+-]?\d+(\.\d+)?", p):
            raise AnswerError(f"Your answer has '{_shown(p)}': every dimension of a shape is a whole number "
                              f"above 0, like 20 x 768.")
        else:
            raise AnswerError(f"Your answer has '{_shown(p)}', which is not a number: write a shape with "
                              f"numbers, like 20 x 768.")
        if d == 0:
            raise AnswerError("Your answer has a dimension of 0: every dimension of a shape is at least 1.")
        dims.append(d)
    if len(dims) > MAX_SHAPE_DIMS:
        raise AnswerError(f"Your answer has {len(dims)} dimensions; shapes here have at most {MAX_SHAPE_DIMS}.")
    return tuple(dims)


def _norm_words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_SURROUNDING = "\"'`“”‘’«».,;:!?()[]{}<>"


def parse_word(text) -> str:
    """A word or short phrase -> its normal form: casefolded, spaces collapsed, surrounding quotes
    and punctuation dropped ('"Softmax."' -> 'softmax'). It must hold at least one letter."""
    t = _text(text, "a word")
    if len(t) > MAX_WORD_CHARS:
        raise AnswerError(f"Your answer is {len(t)} characters long: type one word or a short phrase.")
    w = _norm_words(t).strip(_SURROUNDING + " ")
    if not any(c.isalpha() for c in w):
        raise AnswerError(f"Your answer '{_shown(t)}' has no letters: type a word.")
    return w


_LABEL = re.compile(r"^\(?\s*([a-z]|\d{1,3})\s*[).:]?$")
_LABEL_THEN_TEXT = re.compile(r"^\(?\s*([a-z]|\d{1,3})\s*[).:]\s*(.+)$")


def choice_label(index: int) -> str:
    """0 -> 'A', 1 -> 'B', ...: how a lettered option is shown."""
    return chr(ord("A") + index)


def format_choices(options: Sequence[str], lettered: bool = True) -> str:
    """Options as a prompt shows them, one per line: 'A) ...' (or '1) ...')."""
    return "\n".join(f"{choice_label(i) if lettered else i + 1}) {o}" for i, o in enumerate(options))


def parse_choice(text, options: Sequence[str], lettered: bool = True) -> int:
    """One of `options` -> its index (0-based). Accepted: the option's text (any case, spaces
    collapsed), its number 1..n ("4", "4)"), its letter when lettered ("d", "D)", "(d)"), or a label
    followed by that option's text ("B) the keys"). An option text that is itself a number matches
    before option numbers. An int is read like the typed number (1-based)."""
    n = len(options)
    what = (f"one of the options: a letter A–{choice_label(n - 1)}, " if lettered else "one of the options: ") + \
        f"a number 1–{n}, or the option's text"
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        text = str(int(text))
    t = _text(text, what)
    typed = _norm_words(t)
    normal = [_norm_words(o) for o in options]
    if typed in normal:
        return normal.index(typed)
    stripped = typed.strip(_SURROUNDING + " ")
    if stripped in normal:
        return normal.index(stripped)

    def label_index(label: str) -> int | None:
        if label.isdigit():
            i = int(label) - 1
        elif lettered:
            i = ord(label) - ord("a")
        else:
            return None
        return i if 0 <= i < n else None

    m = _LABEL.match(typed)
    if m:
        i = label_index(m.group(1))
        if i is None:
            raise AnswerError(f"Your answer '{_shown(t)}' names no option: type {what}.")
        return i
    m = _LABEL_THEN_TEXT.match(typed)
    if m:
        i = label_index(m.group(1))
        rest = m.group(2).strip(_SURROUNDING + " ")
        if i is not None and rest == normal[i].strip(_SURROUNDING + " "):
            return i
    raise AnswerError(f"Your answer '{_shown(t)}' is not one of the options: type {what}.")


# ---------------------------------------------------------------------------------------------
# comparisons


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


# ---------------------------------------------------------------------------------------------
# grading helpers: a family's grade() in a few lines


Mistakes = Mapping | Callable[[], Mapping]


def _explain(explain: Mapping[str, str], name: str) -> str:
    return explain.get(name) or f"This is a common mistake ({name.replace('_', ' ')})."


def _mistakes(mistakes: Mistakes) -> Mapping:
    """A grade helper's `mistakes`: a dict, or a function of no arguments returning one, called only
    when the answer is readable and not right (so garbage and right answers cost no mistake maths)."""
    return mistakes() if callable(mistakes) else mistakes


def grade_number(expected: float, text, mistakes: Mistakes, explain: Mapping[str, str], *,
                 rel: float = REL, abs_: float = ABS, percent_ok: bool = False, hint: str | None = None) -> Feedback:
    """A number: 1 when close to `expected`; else 0, naming the first mistake whose value (not None,
    not itself close to `expected`) the answer is close to; unreadable input is invalid.
    `mistakes` maps names to numbers or None (or is a function returning that dict)."""
    try:
        got = parse_number(text, percent_ok=percent_ok)
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


def grade_choice(correct_index: int, text, options: Sequence[str], mistakes: Mistakes,
                 explain: Mapping[str, str], *, lettered: bool = True, hint: str | None = None) -> Feedback:
    """Multiple choice: 1 for the right option, else 0 (naming the mistake an option stands for)."""
    try:
        got = parse_choice(text, options, lettered=lettered)
    except AnswerError as e:
        return invalid(str(e))
    if got == correct_index:
        return Feedback(True, 1.0, CORRECT)
    for name, value in _mistakes(mistakes).items():
        if value is not None and value != correct_index and value == got:
            return Feedback(True, 0.0, _explain(explain, name), mistake=name, hint=hint)
    return Feedback(True, 0.0, NOT_CORRECT, hint=hint)


def grade_word(accepted: Iterable[str], text, mistakes: Mistakes,
               explain: Mapping[str, str], *, hint: str | None = None) -> Feedback:
    """A word or phrase: 1 when its normal form (see parse_word) is one of `accepted`'s, else 0."""
    try:
        got = parse_word(text)
    except AnswerError as e:
        return invalid(str(e))
    right = {_norm_words(a).strip(_SURROUNDING + " ") for a in accepted}
    if got in right:
        return Feedback(True, 1.0, CORRECT)
    for name, words in _mistakes(mistakes).items():
        if words is not None and got in {_norm_words(w).strip(_SURROUNDING + " ") for w in words} - right:
            return Feedback(True, 0.0, _explain(explain, name), mistake=name, hint=hint)
    return Feedback(True, 0.0, NOT_CORRECT, hint=hint)


# ---------------------------------------------------------------------------------------------
# writing answers the way a person types them


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


# ---------------------------------------------------------------------------------------------
# a family's MISTAKES: distinct wrong answers, worked out once per variant, typed

T = TypeVar("T")
PER_VARIANT_CACHE = 256  # variants per_variant remembers (each function its own)


def distinct(candidates: Mapping[str, object], right, *, names: Iterable[str] | None = None,
             rel: float = REL, abs_: float = ABS) -> dict:
    """Each mistake's value in order, None where a grader could not tell it from `right` or from an
    earlier one kept (unless_close, in turn): what a family's MISTAKES entries must return.

    The order is `names` (a name missing from candidates is None) or else candidates' own. Values are
    numbers, arrays, shapes or option indices (distinct indices are never close at the default
    tolerances); whole numbers that must match exactly (shapes, counts) want rel=0 and a tiny abs_."""
    out: dict = {}
    for name in (candidates if names is None else names):
        out[name] = unless_close(candidates.get(name), right, *out.values(), rel=rel, abs_=abs_)
    return out


def per_variant(fn: Callable[[dict], T]) -> Callable[[dict], T]:
    """Decorator: fn(params) worked out once per variant, memoised (the last PER_VARIANT_CACHE) on the
    params' JSON text, json.dumps(p, sort_keys=True); fn gets its own copy of the params (read back from
    that text). For a family's mistakes, which each MISTAKES entry and each grade of a wrong answer ask
    for again. Callers share the result: read it, never change it."""

    @functools.lru_cache(maxsize=PER_VARIANT_CACHE)
    def cached(key: str):
        return fn(json.loads(key))

    @functools.wraps(fn)
    def of_params(p: dict):
        return cached(json.dumps(p, sort_keys=True))

    of_params.cache_info = cached.cache_info
    of_params.cache_clear = cached.cache_clear
    return of_params


def typed_mistakes(mistakes: Callable[[dict], Mapping], names: Iterable[str],
                   typed: Callable[[dict, object], str] | None = None) -> dict[str, Callable[[dict], str | None]]:
    """A family's MISTAKES: {name: function of params -> mistakes(params)[name] as the student types it,
    or None where that value is None}. typed(params, value) writes a value (an option index as the
    option's text, say); without it, format_answer(value). Each function's __name__ is its mistake's."""

    def entry(name: str) -> Callable[[dict], str | None]:
        def wrong(p: dict) -> str | None:
            value = mistakes(p)[name]
            if value is None:
                return None
            return format_answer(value) if typed is None else typed(p, value)

        wrong.__name__ = wrong.__qualname__ = name
        return wrong

    return {name: entry(name) for name in names}


# ---------------------------------------------------------------------------------------------
# variants


def variant_seed(student_id: str, assignment_id: str, position: int) -> int:
    """The seed of a student's variant: the first 8 bytes (big-endian) of the SHA-256 of the JSON text
    ["attention-lab/variant/v1", student_id, assignment_id, position], shifted right by one bit so
    it fits a signed 64-bit database column (0 <= seed < 2**63; the gradebook stores it). Stable across
    processes, machines and Python versions (no hash(), whose str hashing is salted per process).
    Ids are used exactly as given: normalise them (e.g. strip) before they get here."""
    if not isinstance(student_id, str) or not isinstance(assignment_id, str):
        raise TypeError("variant_seed: student_id and assignment_id are str")
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
        raise TypeError("variant_seed: position is an int")
    canonical = json.dumps(["attention-lab/variant/v1", student_id, assignment_id, int(position)],
                           ensure_ascii=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(canonical.encode("ascii")).digest()[:8], "big") >> 1


def variant_rng(student_id: str, assignment_id: str, position: int) -> np.random.Generator:
    """numpy Generator (PCG64) seeded with variant_seed: pass it to a family's generate()."""
    return np.random.default_rng(variant_seed(student_id, assignment_id, position))


# ---------------------------------------------------------------------------------------------
# the self-test of a family

GARBAGE = ("", "   ", "banana", "[[1,2", "1/0", "∞", "nan", None, "9" * 10_000)
REQUIRED = ("ID", "TITLE", "TOPIC", "MISTAKES", "generate", "prompt", "solve", "grade")


def _call(what: str, fn: Callable, *args):
    try:
        return fn(*args)
    except Exception as e:  # any exception is a failure of the contract, reported with its context
        raise AssertionError(f"{what} raised {type(e).__name__}: {e}") from e


def _feedback(what: str, fb) -> Feedback:
    if not isinstance(fb, Feedback):
        raise AssertionError(f"{what} returned {type(fb).__name__}, not Feedback")
    return fb


def check_family(module: ModuleType, seeds: Iterable[int] = range(200)) -> None:
    """The self-test every family passes; AssertionError with a precise message when it does not.

    For each seed: generate(default_rng(seed)) is deterministic and its params survive a JSON round
    trip; prompt is a non-empty str; grade(params, solve(params)) is valid with score 1 (and so is
    the typed form, format_answer(solve(params)), when solve returns no str); each MISTAKES entry that
    is not None grades valid, below 1, named; each garbage input (module.GARBAGE, for families whose
    answers are words, else GARBAGE) is invalid with a message. Nothing may raise.
    """
    name = getattr(module, "__name__", repr(module))
    missing = [a for a in REQUIRED if not hasattr(module, a)]
    if missing:
        raise AssertionError(f"family {name} lacks {', '.join(missing)}")
    for attr in ("ID", "TITLE", "TOPIC"):
        if not isinstance(getattr(module, attr), str) or not getattr(module, attr).strip():
            raise AssertionError(f"family {name}: {attr} must be a non-empty str")
    mistakes = module.MISTAKES
    if not isinstance(mistakes, Mapping) or not all(isinstance(k, str) and callable(f) for k, f in mistakes.items()):
        raise AssertionError(f"family {name}: MISTAKES must map names (str) to functions of params")
    garbage = tuple(getattr(module, "GARBAGE", GARBAGE))
    fid = module.ID
    fixed = getattr(module, "FIXED", {})
    if not isinstance(fixed, Mapping) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in fixed.items()):
        raise AssertionError(f"family {name}: FIXED must map names (str) to params (dict)")
    for fixed_name, p in fixed.items():
        _check_params(module, f"{fid} (fixed {fixed_name!r})", p, mistakes, garbage)
    for seed in seeds:
        at = f"{fid} (seed {seed})"
        p = _call(f"{at}: generate", module.generate, np.random.default_rng(seed))
        try:
            text = json.dumps(p, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise AssertionError(f"{at}: params are not JSON-safe ({e}); use int, float, str, bool, None, "
                                 f"lists and dicts with str keys") from None
        if json.loads(text) != p:
            raise AssertionError(f"{at}: params change in a JSON round trip (tuples become lists, int keys "
                                 f"become str): {p!r} -> {json.loads(text)!r}")
        p2 = _call(f"{at}: generate", module.generate, np.random.default_rng(seed))
        if p2 != p:
            raise AssertionError(f"{at}: generate is not deterministic: {p!r} then {p2!r}; draw every random "
                                 f"choice from the rng it is given")
        _check_params(module, at, p, mistakes, garbage)


def _check_params(module: ModuleType, at: str, p: dict, mistakes: Mapping, garbage: tuple) -> None:
    """check_family's checks of one variant (generated or fixed)."""
    try:
        text = json.dumps(p, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise AssertionError(f"{at}: params are not JSON-safe ({e})") from None
    if json.loads(text) != p:
        raise AssertionError(f"{at}: params change in a JSON round trip: {p!r} -> {json.loads(text)!r}")
    shown = _call(f"{at}: prompt", module.prompt, p)
    if not isinstance(shown, str) or not shown.strip():
        raise AssertionError(f"{at}: prompt(params) must return a non-empty str, not {shown!r}")
    answer = _call(f"{at}: solve", module.solve, p)
    forms = [answer] if isinstance(answer, str) else [answer, _call(f"{at}: format_answer", format_answer, answer)]
    for form in forms:
        fb = _feedback(f"{at}: grade", _call(f"{at}: grade of solve {form!r}", module.grade, p, form))
        if not fb.valid or fb.score != 1:
            raise AssertionError(f"{at}: grade of solve's answer {form!r} is valid={fb.valid}, "
                                 f"score={fb.score}: {fb.message}")
    for mname, fn in mistakes.items():
        wrong = _call(f"{at}: MISTAKES[{mname!r}]", fn, p)
        if wrong is None:
            continue
        fb = _feedback(f"{at}: grade", _call(f"{at}: grade of mistake {mname!r} ({wrong!r})", module.grade,
                                             p, wrong))
        if not fb.valid:
            raise AssertionError(f"{at}: mistake {mname!r} ({wrong!r}) is graded invalid: {fb.message}")
        if fb.score >= 1:
            raise AssertionError(f"{at}: mistake {mname!r} ({wrong!r}) scores {fb.score}: it equals the right "
                                 f"answer here, so MISTAKES[{mname!r}] should return None for these params")
        if fb.mistake != mname:
            raise AssertionError(f"{at}: mistake {mname!r} ({wrong!r}) is graded as mistake={fb.mistake!r}: "
                                 f"grade must recognize it (or MISTAKES[{mname!r}] return None where it "
                                 f"equals another)")
    for junk in garbage:
        shown_junk = junk if junk is None or len(junk) <= 30 else junk[:30] + f"… ({len(junk)} chars)"
        fb = _feedback(f"{at}: grade", _call(f"{at}: grade of garbage {shown_junk!r}", module.grade, p, junk))
        if fb.valid or not fb.message.strip():
            raise AssertionError(f"{at}: garbage {shown_junk!r} must be invalid with a message, got "
                                 f"valid={fb.valid}, score={fb.score}, message={fb.message!r}")
    _check_optional(module, at, p, answer)


_KINDS = {"number": (), "vector": ("n",), "matrix": ("rows", "cols"), "shape": (), "choice": ("options",), "word": ()}


def _check_optional(module: ModuleType, at: str, p: dict, answer) -> None:
    """The optional attributes (see the module docstring), where the family has them."""
    if hasattr(module, "answer_form"):
        form = _call(f"{at}: answer_form", module.answer_form, p)
        if not isinstance(form, dict) or form.get("kind") not in _KINDS:
            raise AssertionError(f"{at}: answer_form must return a dict with kind one of {sorted(_KINDS)}, "
                                 f"not {form!r}")
        lacking = [k for k in _KINDS[form["kind"]] if k not in form]
        if lacking:
            raise AssertionError(f"{at}: answer_form of kind {form['kind']!r} lacks {', '.join(lacking)}")
        if form["kind"] == "choice":
            options = form["options"]
            if not (isinstance(options, list) and len(options) >= 2 and all(isinstance(o, str) and o.strip()
                                                                              for o in options)):
                raise AssertionError(f"{at}: answer_form options must be a list of at least 2 non-empty str")
            if len(set(options)) != len(options):
                raise AssertionError(f"{at}: answer_form options repeat: {options!r}")
            if not isinstance(answer, str) or answer not in options:
                raise AssertionError(f"{at}: solve's answer {answer!r} is not one of answer_form's options")
            for i, option in enumerate(options):  # what a radio button submits
                fb = module.grade(p, option)
                if not fb.valid:
                    raise AssertionError(f"{at}: option {i + 1} ({option!r}) is graded invalid: {fb.message}")
        if form["kind"] == "matrix":
            shape = parse_matrix(format_answer(answer) if not isinstance(answer, str) else answer).shape
            if shape != (form["rows"], form["cols"]):
                raise AssertionError(f"{at}: answer_form says {form['rows']}×{form['cols']}, solve gives {shape}")
        if form["kind"] == "vector" and parse_vector(answer).size != form["n"]:
            raise AssertionError(f"{at}: answer_form says n={form['n']}, solve gives {parse_vector(answer).size}")
    if hasattr(module, "tables"):
        tables = _call(f"{at}: tables", module.tables, p)
        if not isinstance(tables, dict) or not all(isinstance(k, str) for k in tables):
            raise AssertionError(f"{at}: tables must return a dict of name -> rows")
        for k, v in tables.items():
            try:
                a = np.asarray(v, dtype=float)
            except (TypeError, ValueError):
                raise AssertionError(f"{at}: table {k!r} is not numbers") from None
            if a.ndim not in (1, 2) or a.size == 0 or not np.all(np.isfinite(a)):
                raise AssertionError(f"{at}: table {k!r} must be a non-empty vector or matrix of finite numbers")
    for attr in ("worked_solution", "hint"):
        if hasattr(module, attr):
            out = _call(f"{at}: {attr}", getattr(module, attr), p)
            if not isinstance(out, str) or not out.strip():
                raise AssertionError(f"{at}: {attr}(params) must return a non-empty str")
    if hasattr(module, "HINT") and not (isinstance(module.HINT, str) and module.HINT.strip()):
        raise AssertionError(f"{at}: HINT must be a non-empty str")
    if hasattr(module, "steps"):
        steps = _call(f"{at}: steps", module.steps, p)
        if not isinstance(steps, list) or not steps:
            raise AssertionError(f"{at}: steps(params) must return a non-empty list of core.steps.Step")
