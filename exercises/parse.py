"""Reading typed answers: numbers, probabilities, vectors, matrices and shapes. Each parser raises only
AnswerError, whatever it is given, with a message that says what to fix (see exercises.examples for the
example values these messages show: numbers no family's answer takes)."""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np

from core import matrix_text
from core.matrix_text import MatrixInputError
from exercises.examples import (
    MATRIX_EXAMPLE,
    NUMBER_EXAMPLES,
    PERCENT_EXAMPLE,
    SHAPE_EXAMPLE,
    SHAPE_EXAMPLE_TUPLE,
    VECTOR_EXAMPLE,
)
from exercises.feedback import AnswerError

MAX_CHARS = 4000  # longer input is refused before any parsing (a 16×16 matrix of 8-digit numbers fits)
MAX_NUMBER_CHARS = 100  # one number; also the longest token inside a vector or matrix
MAX_SHAPE_DIMS = 8


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
    t = _text(text, f"a number, like {NUMBER_EXAMPLES[0]} or {NUMBER_EXAMPLES[1]}")
    if len(t) > MAX_NUMBER_CHARS:
        raise AnswerError(f"Your answer is {len(t)} characters long, too long for one number.")
    t = _APPROX.sub("", t.translate(_MINUSES)).strip()
    scale = 1.0
    if t.endswith("%"):
        if not percent_ok:
            raise AnswerError(f"This answer is not a percentage: type a plain number ({PERCENT_EXAMPLE[0]} rather than {PERCENT_EXAMPLE[1]}).")
        t, scale = t[:-1].strip(), 0.01
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    elif _DECIMAL_COMMA.match(t):
        raise AnswerError(f"Your answer is '{t}': write decimals with a point (like {NUMBER_EXAMPLES[0]}), and one number only.")
    m = _TIMES_TEN.match(t)
    if m:
        t = f"{m.group(1)}e{m.group(2)}"
    if not t:
        raise AnswerError(f"Your answer has no number in it: type a number, like {NUMBER_EXAMPLES[0]} or {NUMBER_EXAMPLES[1]}.")
    try:
        value = matrix_text.parse_number(t, "Your answer")
    except MatrixInputError as e:
        raise AnswerError(str(e)) from None
    return value * scale


def parse_probability(text) -> float:
    """A probability: a number in 0..1, or a percentage in 0..100% (42% reads as 0.42). Anything outside
    is refused as unreadable (AnswerError, costing no try): 101% or -5% is no probability."""
    value = parse_number(text, percent_ok=True)
    if not 0.0 <= value <= 1.0:
        raise AnswerError(f"Your answer, {value:g}, is not a probability: a probability lies between 0 and 1 "
                          f"(or 0% and 100%). Type a number in that range.")
    return value


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
        t = _text(text, f"a matrix, one row per line or rows split by ';' (like {MATRIX_EXAMPLE})")
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
        raise AnswerError(f"Your answer could not be read: type a matrix, like {MATRIX_EXAMPLE}.")
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
                          f"of numbers, on one line (like {VECTOR_EXAMPLE}).")
    return a.reshape(-1)


_SHAPE_SPLIT = re.compile(r"\s*(?:[x×X*,]|\bby\b)\s*|\s+")


def parse_shape(text) -> tuple[int, ...]:
    """A tensor shape -> tuple of positive ints: 7 x 13, 7×13, 7 by 13, (7, 13), [7, 13], 7,13 (commas
    separate dimensions here), 13 or (13,) for one dimension, torch.Size([7, 13])."""
    if isinstance(text, (tuple, list)) and not isinstance(text, str):
        dims = list(text)
        if not dims or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims):
            raise AnswerError(f"Your answer is not a shape: give whole numbers, like {SHAPE_EXAMPLE}.")
        text = " x ".join(str(int(d)) for d in dims)
    elif isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        text = str(int(text))
    t = _text(text, f"a shape, like {SHAPE_EXAMPLE}")
    t = re.sub(r"^(?:torch\.)?size\s*", "", t, flags=re.IGNORECASE)
    t = re.sub(r"^shape\s*[:=]?\s*", "", t, flags=re.IGNORECASE)
    opens, closes = sum(t.count(c) for c in "([{"), sum(t.count(c) for c in ")]}")
    if opens != closes:
        raise AnswerError(f"The brackets of your answer do not match: write a shape like {SHAPE_EXAMPLE_TUPLE} or {SHAPE_EXAMPLE}.")
    while len(t) >= 2 and t[0] in "([{" and t[-1] in ")]}":
        t = t[1:-1].strip()
    if any(c in t for c in "()[]{}"):
        raise AnswerError(f"Your answer has brackets inside the shape: write it like {SHAPE_EXAMPLE_TUPLE} or {SHAPE_EXAMPLE}.")
    if t.endswith(","):  # Python's one-element tuple (13,)
        t = t[:-1].strip()
    if not t:
        raise AnswerError(f"Your answer has no numbers: write a shape like {SHAPE_EXAMPLE}.")
    parts = _SHAPE_SPLIT.split(t)
    if any(p == "" for p in parts):
        raise AnswerError(f"Your answer has a separator with no number beside it: write a shape like {SHAPE_EXAMPLE}.")
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
                              f"above 0, like {SHAPE_EXAMPLE}.")
        else:
            raise AnswerError(f"Your answer has '{_shown(p)}', which is not a number: write a shape with "
                              f"numbers, like {SHAPE_EXAMPLE}.")
        if d == 0:
            raise AnswerError("Your answer has a dimension of 0: every dimension of a shape is at least 1.")
        dims.append(d)
    if len(dims) > MAX_SHAPE_DIMS:
        raise AnswerError(f"Your answer has {len(dims)} dimensions; shapes here have at most {MAX_SHAPE_DIMS}.")
    return tuple(dims)
