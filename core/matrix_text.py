"""Matrices as text and back, with messages that say what to fix.

Accepted (all give [[1, 2, 3], [4, 5, 6]]):
    1 2 3; 4 5 6          rows split by ';', numbers by spaces or commas
    [[1,2,3],[4,5,6]]     Python / JSON lists, also numpy's [[1 2 3] [4 5 6]] and MATLAB's [1 2 3; 4 5 6]
    1 2 3                 one row per line (a paste from a spreadsheet, tabs included)
    4 5 6
Numbers may be integers, decimals, scientific notation (1e-3), fractions (1/3), and use the
Unicode minus sign (−1) that slides and PDFs often contain.
"""

from __future__ import annotations

import re

import numpy as np

from core.errors import UserError

MAX_SIZE = 16


class MatrixInputError(UserError):
    """A matrix typed by a person could not be used; str(error) says what to fix."""


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d*)?)\s*/\s*(\d+(?:\.\d*)?)$")
_NON_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-", "\uff0d": "-"})


def _position(name: str, r: int, c: int, n_rows: int) -> str:
    return f"Row {r + 1}, column {c + 1} of {name}" if n_rows > 1 else f"Column {c + 1} of {name}"


def parse_number(token: str, where: str = "This entry") -> float:
    """One number as a person types it; MatrixInputError names `where` when it is not one."""
    t = token.strip().translate(_MINUSES)
    if _NON_FINITE.match(t):
        raise MatrixInputError(f"{where} is '{token.strip()}': only finite numbers are allowed here.")
    if _NUMBER.match(t):
        return _finite(float(t), token, where)
    m = _FRACTION.match(t)
    if m:
        den = float(m.group(2))
        if den == 0:
            raise MatrixInputError(f"{where} is '{token.strip()}', a division by zero.")
        return _finite(float(m.group(1)) / den, token, where)
    shown = token.strip() if len(token.strip()) <= 20 else token.strip()[:20] + "…"
    raise MatrixInputError(f"{where} is '{shown}', which is not a number. Use digits like 9.5, -2.5, 2e-3 or 17/4.")


def _finite(value: float, token: str, where: str) -> float:
    """Digits can spell a number beyond the float range (1e999 reads as inf): say so instead."""
    if not np.isfinite(value):
        shown = token.strip() if len(token.strip()) <= 20 else token.strip()[:20] + "…"
        raise MatrixInputError(f"{where} is '{shown}', which is too large: use numbers between -1e308 and 1e308.")
    return value


def _split_rows(text: str, name: str) -> list[list[str]]:
    """Text -> rows of number tokens (strings), following the accepted formats."""
    if "[" in text or "]" in text:
        if text.count("[") != text.count("]"):
            raise MatrixInputError(
                f"The brackets of {name} do not match ({text.count('[')} '[' and {text.count(']')} ']'). "
                f"Write it like [[9.5, -2.5], [6.5, 11.5]]."
            )
        body = text.strip()
        if not (body.startswith("[") and body.endswith("]")):
            raise MatrixInputError(f"{name} starts a list with '[' but has text outside it. Write it like [[9.5, -2.5], [6.5, 11.5]].")
        inner = body[1:-1].strip()
        if "[" not in inner:  # one row [1, 2, 3], or MATLAB's [1 2 3; 4 5 6]
            groups = [g for g in inner.split(";")]
            while len(groups) > 1 and not groups[-1].strip():
                groups.pop()
        else:
            groups = re.findall(r"\[([^\[\]]*)\]", inner)
            leftover = re.sub(r"\[[^\[\]]*\]", "", inner)
            if "[" in leftover or "]" in leftover:
                raise MatrixInputError(f"{name} is nested deeper than a matrix: use one list per row, like [[9.5, -2.5], [6.5, 11.5]].")
            if leftover.replace(",", "").strip():
                raise MatrixInputError(
                    f"{name} has '{leftover.replace(',', ' ').split()[0]}' between its rows. "
                    f"Write it like [[9.5, -2.5], [6.5, 11.5]]."
                )
        lines = groups
    else:
        lines = [ln for ln in re.split(r"[;\n]", text)]
        # drop blank lines (a trailing ';' or an empty last line) but keep a blank row in the middle
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
    return [[t for t in re.split(r"[,\s]+", ln.strip()) if t] for ln in lines]


def parse_matrix(text: str, name: str = "the matrix", max_size: int = MAX_SIZE) -> np.ndarray:
    """Text -> float matrix [rows, cols]. Raises MatrixInputError with a message that says what to fix."""
    if text is None or not str(text).strip():
        raise MatrixInputError(f"{name} is empty: type its numbers, one row per line or rows split by ';' (e.g. 9.5 -2.5; 6.5 11.5).")
    rows = _split_rows(str(text), name)
    return matrix_from_rows(rows, name, max_size)


def matrix_from_rows(rows, name: str = "the matrix", max_size: int = MAX_SIZE) -> np.ndarray:
    """Rows of entries (numbers, strings or None, as a grid editor gives them) -> float matrix."""
    rows = [list(r) for r in rows]
    if not rows or all(len(r) == 0 for r in rows):
        raise MatrixInputError(f"{name} is empty: it needs at least one row and one column of numbers.")
    for r, row in enumerate(rows):
        if len(row) == 0:
            raise MatrixInputError(f"Row {r + 1} of {name} is empty: every row needs the same number of columns.")
    if len(rows) > max_size:
        raise MatrixInputError(f"{name} has {len(rows)} rows; at most {max_size} are allowed here.")
    width = len(rows[0])
    if width > max_size:
        raise MatrixInputError(f"{name} has {width} columns; at most {max_size} are allowed here.")
    for r, row in enumerate(rows[1:], start=1):
        if len(row) != width:
            raise MatrixInputError(
                f"Row {r + 1} of {name} has {len(row)} number{'s' * (len(row) != 1)} but row 1 has {width}: "
                f"every row needs the same number of columns."
            )
    out = np.empty((len(rows), width))
    for r, row in enumerate(rows):
        for c, entry in enumerate(row):
            where = _position(name, r, c, len(rows))
            out[r, c] = _entry(entry, where)
    return out


def _entry(entry, where: str) -> float:
    if entry is None or (isinstance(entry, str) and not entry.strip()):
        raise MatrixInputError(f"{where} is empty: fill in a number.")
    if isinstance(entry, (bool, np.bool_)):
        raise MatrixInputError(f"{where} is '{entry}', which is not a number.")
    if isinstance(entry, (int, float, np.integer, np.floating)):
        try:
            value = float(entry)
        except OverflowError:  # a Python int beyond the float range
            raise MatrixInputError(f"{where} is too large: use numbers between -1e308 and 1e308.") from None
        if np.isnan(value):
            raise MatrixInputError(f"{where} is empty: fill in a number.")
        if not np.isfinite(value):
            raise MatrixInputError(f"{where} is '{value}': only finite numbers are allowed here.")
        return value
    return parse_number(str(entry), where)


def format_number(value: float, decimals: int = 4) -> str:
    """3.0 -> '3', 0.12345 -> '0.1235', 3.5e-153 -> '3.5e-153' (not '0'), -inf -> '-inf'."""
    if not np.isfinite(value):
        return "-inf" if value < 0 else ("inf" if value > 0 else "nan")
    if value != 0 and abs(value) < 0.5 * 10.0 ** -decimals:
        return f"{value:.2g}"  # too small for `decimals`: scientific, so a tiny weight never reads as 0
    rounded = round(float(value), decimals)
    if rounded == int(rounded) and abs(rounded) < 1e15:
        return str(int(rounded))
    text = f"{rounded:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text  # decimals=0: 1e17 keeps its zeros


def format_matrix(a: np.ndarray, decimals: int = 4) -> str:
    """Float matrix -> text that parse_matrix reads back: one row per line, numbers split by spaces."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    return "\n".join(" ".join(format_number(v, decimals) for v in row) for row in a)


def read_matrix(value, name: str = "the matrix", max_size: int = MAX_SIZE) -> np.ndarray:
    """A matrix from what a page's widget gives: typed text, or rows from a grid editor."""
    if value is None or isinstance(value, str):
        return parse_matrix(value, name, max_size)
    return matrix_from_rows(value, name, max_size)
