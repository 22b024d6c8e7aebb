"""core.matrix_text: every accepted way of typing a matrix, and a message that says what to fix for
every way of getting it wrong. Hypothesis fuzzes the parser with arbitrary text: it may only ever
raise MatrixInputError, and whatever it returns is a finite matrix of at most 16×16."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.matrix_text import (
    MAX_SIZE,
    MatrixInputError,
    format_matrix,
    format_number,
    matrix_from_rows,
    parse_matrix,
    parse_number,
)

SETTINGS = settings(max_examples=100, deadline=None)
M23 = [[1, 2, 3], [4, 5, 6]]


@pytest.mark.parametrize("text", [
    "1 2 3; 4 5 6",
    "1 2 3;4 5 6",
    "[[1,2,3],[4,5,6]]",
    "[[1, 2, 3], [4, 5, 6]]",
    "[[1 2 3] [4 5 6]]",  # numpy's print
    "[[1 2 3]\n [4 5 6]]",
    "[ [1,2,3] , [4,5,6] ]",
    "1 2 3\n4 5 6",
    "1\t2\t3\n4\t5\t6",  # a spreadsheet paste
    "1,2,3\n4,5,6",
    "1, 2, 3; 4, 5, 6",
    "1 2 3; 4 5 6;",
    "1 2 3\n4 5 6\n",
    "\n  1 2 3\n4 5 6\n\n",
    "1 2 3\r\n4 5 6\r\n",  # Windows line ends
    "1.0 2.00 3.; +4 5e0 60e-1",
    "2/2 4/2 3; 8/2 10/2 18/3",
])
def test_accepted_formats(text):
    m = parse_matrix(text)
    assert m.dtype == float
    np.testing.assert_array_equal(m, M23)


@pytest.mark.parametrize("text, expected", [
    ("−1 2", [[-1, 2]]),  # U+2212, the minus sign of the slides
    ("−1.5; −2e−3", [[-1.5], [-0.002]]),
    ("1/3 −2/3", [[1 / 3, -2 / 3]]),
    ("1e-3 2E3 -1.5e+2", [[0.001, 2000, -150]]),
    (".5 -.25 5.", [[0.5, -0.25, 5.0]]),
    ("[1, 2, 3]", [[1, 2, 3]]),
    ("[1 2 3]", [[1, 2, 3]]),
    ("7", [[7]]),
    ("[[7]]", [[7]]),
    ("1;2;3", [[1], [2], [3]]),
    ("0.5/0.25", [[2.0]]),
])
def test_numbers_as_people_type_them(text, expected):
    np.testing.assert_allclose(parse_matrix(text), expected, rtol=1e-15)


def test_lecture_matrix_from_the_slides():
    w_q = "−1 2 0\n2 3 −5\n1 0 0\n−3 1 2"
    np.testing.assert_array_equal(parse_matrix(w_q), [[-1, 2, 0], [2, 3, -5], [1, 0, 0], [-3, 1, 2]])


def errors(text, **kw) -> str:
    with pytest.raises(MatrixInputError) as info:
        parse_matrix(text, **kw)
    return str(info.value)


def test_ragged_rows_name_the_row_and_both_counts():
    msg = errors("1 2 3; 4 5")
    assert "Row 2" in msg and "2 numbers" in msg and "row 1 has 3" in msg
    msg = errors("1 2\n3 4\n5", name="W_Q")
    assert "Row 3 of W_Q has 1 number but row 1 has 2" in msg
    msg = errors("[[1, 2], [3, 4, 5]]")
    assert "Row 2" in msg and "3 numbers" in msg and "row 1 has 2" in msg


def test_blank_row_in_the_middle_is_named():
    assert "Row 2 of the matrix is empty" in errors("1 2;;3 4")
    assert "Row 2" in errors("1 2\n\n3 4")


@pytest.mark.parametrize("text, where, bad", [
    ("1 2; 3 x", "Row 2, column 2", "'x'"),
    ("1 2 abc", "Column 3", "'abc'"),
    ("[[1, 2], [3, 4o]]", "Row 2, column 2", "'4o'"),
    ("1 2; 3 1..2", "Row 2, column 2", "'1..2'"),
    ("1 2; 3 --4", "Row 2, column 2", "'--4'"),
    ("1 2; 3 1/", "Row 2, column 2", "'1/'"),
])
def test_non_number_names_row_column_and_text(text, where, bad):
    msg = errors(text)
    assert where in msg and bad in msg and "not a number" in msg


def test_long_bad_text_is_shortened():
    msg = errors("1 " + "x" * 60)
    assert "x" * 20 + "…" in msg and "x" * 21 not in msg


@pytest.mark.parametrize("token", ["nan", "NaN", "inf", "-inf", "Infinity", "−inf", "+inf"])
def test_nan_and_infinity_are_rejected(token):
    msg = errors(f"1 2; 3 {token}")
    assert "Row 2, column 2" in msg and "finite" in msg


@pytest.mark.parametrize("token", ["1e999", "-1e400", "9" * 400, "9" * 400 + "/2", "1/" + "0." + "0" * 400 + "1"])
def test_numbers_too_large_for_a_float_are_rejected(token):
    try:
        m = parse_matrix(f"1 {token}")
    except MatrixInputError as e:
        assert "Column 2" in str(e)
    else:
        pytest.fail(f"{token[:20]!r} was read as {m[0, 1]}")


@pytest.mark.parametrize("text", ["", " ", "   \n\t  ", ";", ";;\n;", "[]", "[[]]", "[ ]"])
def test_empty_matrix(text):
    assert "empty" in errors(text)


def test_none_is_empty():
    assert "empty" in errors(None)


def test_size_limits():
    assert parse_matrix("; ".join(["1"] * MAX_SIZE)).shape == (MAX_SIZE, 1)
    assert parse_matrix(" ".join(["1"] * MAX_SIZE)).shape == (1, MAX_SIZE)
    assert "17 rows; at most 16" in errors("; ".join(["1"] * 17))
    assert "17 columns; at most 16" in errors(" ".join(["1"] * 17))
    assert "5 rows; at most 4" in errors("1;2;3;4;5", max_size=4)


@pytest.mark.parametrize("text", ["[[1,2],[3,4]", "[1,2]]", "[[1, 2, 3]", "1 2 ]"])
def test_mismatched_brackets(text):
    msg = errors(text)
    assert "brackets" in msg and "do not match" in msg and "[[9.5, -2.5], [6.5, 11.5]]" in msg  # tests/test_examples.py


def test_bracket_structure_errors():
    assert "text outside" in errors("x [1, 2]")
    assert "nested deeper" in errors("[[[1, 2]], [[3, 4]]]")
    assert "'5' between its rows" in errors("[[1, 2], 5, [3, 4]]")


@pytest.mark.parametrize("text", ["1/0", "1 2; 3 4/0", "−1/0.0", "0/0"])
def test_division_by_zero(text):
    msg = errors(text)
    assert "division by zero" in msg and "/0" in msg


def test_messages_use_the_matrix_name():
    assert "W_K" in errors("1 x", name="W_K")
    assert "W_K is empty" in errors("", name="W_K")


def test_parse_number():
    assert parse_number(" −2/4 ") == -0.5
    with pytest.raises(MatrixInputError, match="The answer is 'two', which is not a number"):
        parse_number("two", where="The answer")


# ---------------------------------------------------------------------------------------------
# matrix_from_rows: what a grid editor gives


def test_matrix_from_rows_numbers_and_strings():
    np.testing.assert_array_equal(matrix_from_rows([[1, "2"], [np.float32(3.0), " −4 "]]), [[1, 2], [3, -4]])
    np.testing.assert_array_equal(matrix_from_rows(np.array([[1.5, 2], [3, 4]])), [[1.5, 2], [3, 4]])


@pytest.mark.parametrize("empty", [None, float("nan"), np.nan, "", "  "])
def test_matrix_from_rows_names_the_empty_cell(empty):
    with pytest.raises(MatrixInputError, match="Row 2, column 1 of W_V is empty: fill in a number"):
        matrix_from_rows([[1, 2], [empty, 4]], name="W_V")
    with pytest.raises(MatrixInputError, match="Column 3 of the matrix is empty"):
        matrix_from_rows([[1, 2, empty]])


def test_matrix_from_rows_other_bad_cells():
    with pytest.raises(MatrixInputError, match="only finite numbers"):
        matrix_from_rows([[1, float("inf")]])
    with pytest.raises(MatrixInputError, match="not a number"):
        matrix_from_rows([[True, 1]])
    with pytest.raises(MatrixInputError, match="Row 1, column 2 .* 'x'"):
        matrix_from_rows([[1, "x"], [3, 4]])
    with pytest.raises(MatrixInputError, match="Column 2"):
        matrix_from_rows([[1, 10**400]])  # a Python int too large for a float
    with pytest.raises(MatrixInputError, match="empty"):
        matrix_from_rows([])
    with pytest.raises(MatrixInputError, match="Row 2 of the matrix has 1 number but row 1 has 2"):
        matrix_from_rows([[1, 2], [3]])


# ---------------------------------------------------------------------------------------------
# format_matrix round-trips


def test_format_number():
    assert format_number(3.0) == "3"
    assert format_number(-2.0) == "-2"
    assert format_number(0.12345) == "0.1235"  # 0.12345 is stored a hair above ...45
    assert format_number(0.5) == "0.5"
    assert format_number(1e17, 0) == "100000000000000000"
    assert format_number(2e15, 2) == "2000000000000000"
    assert abs(parse_number(format_number(-1e-9))) < 0.5e-4  # "0", or "-1e-09" when small values are kept
    assert format_number(1 / 3, 2) == "0.33"
    assert format_number(-np.inf) == "-inf" and format_number(np.inf) == "inf"
    assert format_number(np.nan) == "nan"


def test_format_matrix_shape():
    assert format_matrix(np.array([[1.0, -2.5], [3.25, 4.0]])) == "1 -2.5\n3.25 4"
    assert format_matrix(np.array([1.0, 2.0])) == "1 2"


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, MAX_SIZE), st.integers(1, MAX_SIZE)),
              elements=st.floats(-1e18, 1e18, allow_nan=False, allow_infinity=False)),
       st.integers(0, 8))
def test_format_matrix_round_trips(a, decimals):
    back = parse_matrix(format_matrix(a, decimals))
    assert back.shape == a.shape
    # each number comes back to within half a unit of its last decimal (rounding error aside)
    half_unit = 0.5 * 10.0**-decimals
    np.testing.assert_array_less(np.abs(back - a), half_unit + 4 * np.spacing(np.abs(a)) + 1e-300)
    big = np.abs(a) >= half_unit
    np.testing.assert_array_equal(back[big], [round(float(v), decimals) for v in a[big]])


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)))
def test_repr_round_trips(a):
    # full precision text (repr of each float) in every accepted layout reads back exactly
    rows = [[repr(float(v)) for v in row] for row in a]
    layouts = [
        "; ".join(" ".join(r) for r in rows),
        "\n".join("\t".join(r) for r in rows),
        "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]",
        "[" + "\n ".join("[" + " ".join(r) + "]" for r in rows) + "]",
        "\n".join(", ".join(r) for r in rows) + "\n",
    ]
    for text in layouts:
        np.testing.assert_array_equal(parse_matrix(text), a)


# ---------------------------------------------------------------------------------------------
# fuzzing: only MatrixInputError, and only finite matrices of allowed size


def parse_or_error(text):
    try:
        m = parse_matrix(text)
    except MatrixInputError as e:
        assert str(e) and not str(e).startswith("Traceback")
        return None
    assert isinstance(m, np.ndarray) and m.ndim == 2 and m.dtype == float
    assert 1 <= m.shape[0] <= MAX_SIZE and 1 <= m.shape[1] <= MAX_SIZE
    assert np.all(np.isfinite(m))
    return m


@SETTINGS
@given(st.text())
def test_fuzz_arbitrary_text(text):
    parse_or_error(text)


MATRIXY = "0123456789 .,;[]-+\n\t/eE−\u00a0\u2003naif"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MATRIXY, max_size=60))
def test_fuzz_matrix_like_text(text):
    parse_or_error(text)


number_tokens = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.tuples(st.integers(-999, 999), st.integers(0, 999)).map(lambda p: f"{p[0]}/{p[1]}"),
    st.sampled_from(["1e999", "-1e-999", "−3", "nan", "inf", "", "1.", ".5", "-.", "e5", "1e", "x"]),
)


@SETTINGS
@given(st.lists(st.lists(number_tokens, min_size=0, max_size=18), min_size=0, max_size=18),
       st.sampled_from([(" ", "; "), ("\t", "\n"), (",", ";"), (", ", "], [")]))
def test_fuzz_token_grids(grid, seps):
    col_sep, row_sep = seps
    text = row_sep.join(col_sep.join(row) for row in grid)
    if row_sep == "], [":
        text = "[[" + text + "]]"
    m = parse_or_error(text)
    if m is not None and grid and grid[0] and all(len(r) == len(grid[0]) for r in grid) and all(all(r) for r in grid):
        assert m.shape == (len(grid), len(grid[0]))


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=8)),
                         min_size=0, max_size=5), min_size=0, max_size=5))
def test_fuzz_matrix_from_rows(rows):
    try:
        m = matrix_from_rows(rows)
    except MatrixInputError:
        return
    assert np.all(np.isfinite(m)) and m.shape == (len(rows), len(rows[0]))


def test_fractions_are_exact_enough():
    assert parse_matrix("1/3")[0, 0] == 1 / 3
    assert math.isclose(parse_matrix("22/7")[0, 0], 22 / 7, rel_tol=0, abs_tol=0)


def test_matlab_style_rows():
    assert parse_matrix("[1 2 3; 4 5 6]").tolist() == [[1, 2, 3], [4, 5, 6]]
    assert parse_matrix("[1, 2; 3, 4;]").tolist() == [[1, 2], [3, 4]]
    with pytest.raises(MatrixInputError, match="Row 2 of .* has 2 numbers but row 1 has 3"):
        parse_matrix("[1 2 3; 4 5]")
