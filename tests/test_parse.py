"""exercises.parse: every accepted way of typing a number, vector, matrix or shape, a message for every
way of getting it wrong; hypothesis fuzzes every parser: only AnswerError may escape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.choices import parse_choice
from exercises.feedback import AnswerError
from exercises.parse import parse_matrix, parse_number, parse_probability, parse_shape, parse_vector

SETTINGS = settings(max_examples=150, deadline=None)
OPTIONS = ["softmax", "ReLU", "the sum", "1/2"]

# ---------------------------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize("text, value", [
    ("3", 3), ("-0.25", -0.25), (".5", 0.5), ("+2", 2), ("3.", 3), ("1/3", 1 / 3), ("-3/4", -0.75),
    ("1 / 4", 0.25), ("2.5e-3", 0.0025), ("2.5E3", 2500), ("3 × 10^-2", 0.03), ("3x10**4", 3e4),
    ("3·10^{-2}", 0.03), ("3×10⁻²", 0.03), ("½", 0.5), ("10²", None), ("\u22121", -1), ("\u2212 0.5", None), ("≈ 0.33", 0.33), ("~0.33", 0.33), ("= 4", 4),
    ("15,360", 15360), ("1,234,567.5", 1234567.5), ("  7  ", 7), ("０.５", 0.5), (3, 3), (2.5, 2.5),
    (np.float32(0.5), 0.5), (np.int64(4), 4),
])
def test_parse_number_accepts(text, value):
    if value is None:  # "− 0.5": a minus with a space is not a number; 10² is not read as 102
        with pytest.raises(AnswerError):
            parse_number(text)
        return
    assert math.isclose(parse_number(text), value)


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("   ", "empty"), (None, "empty"), ("banana", "not a number"), ("1/0", "division by zero"),
    ("nan", "finite"), ("inf", "finite"), ("∞", "not a number"), ("1e999", "too large"),
    ("1,5", "decimals with a point"), ("1,23", "decimals with a point"), ("12,34,567", "not a number"),
    ("25%", "not a percentage"), ("1 2", "not a number"), ("9" * 200, "too long"), ("9" * 10_000, "too long"),
    (True, "not a number"), (float("nan"), "finite"), (10**400, "too large"), ([1], "could not be read"),
    ("≈", "no number"),
])
def test_parse_number_refuses_with_message(text, message):
    with pytest.raises(AnswerError, match=message):
        parse_number(text)


def test_parse_number_percent():
    assert parse_number("25%", percent_ok=True) == pytest.approx(0.25)
    assert parse_number("12.5 %", percent_ok=True) == pytest.approx(0.125)
    assert parse_number("1/4", percent_ok=True) == pytest.approx(0.25)  # plain numbers still read
    with pytest.raises(AnswerError, match="no number"):
        parse_number("%", percent_ok=True)


@pytest.mark.parametrize("text, value", [("0.42", 0.42), ("42%", 0.42), ("0", 0), ("100%", 1), ("1", 1),
                                         ("99.99 %", 0.9999), ("1/3", 1 / 3)])
def test_parse_probability_accepts(text, value):
    assert parse_probability(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["101%", "-5%", "1.01", "-0.05", "150 %", "2", "1e3"])
def test_parse_probability_refuses_values_outside_0_to_1(text):
    with pytest.raises(AnswerError, match="is not a probability: a probability lies between 0 and 1"):
        parse_probability(text)


# ---------------------------------------------------------------------------------------------
# parse_vector, parse_matrix


@pytest.mark.parametrize("text", [
    "0.2 0.3 0.5", "0.2, 0.3, 0.5", "0.2,0.3,0.5", "[0.2, 0.3, 0.5]", "(0.2, 0.3, 0.5)", "0.2\n0.3\n0.5",
    "[[0.2, 0.3, 0.5]]", "1/5 3/10 1/2", "≈ 0.2 0.3 0.5", [0.2, 0.3, 0.5], np.array([0.2, 0.3, 0.5]),
    np.array([[0.2], [0.3], [0.5]]),
])
def test_parse_vector_accepts(text):
    np.testing.assert_allclose(parse_vector(text), [0.2, 0.3, 0.5])


@pytest.mark.parametrize("text, message", [
    ("", "empty"), (None, "empty"), ("1 2; 3 4", "2 rows of 2 numbers"), ("[1, 2", "brackets"),
    ("1 2 x", "Column 3 of your answer is 'x'"), ("1 nan", "finite"), (np.zeros((2, 2)), "2 rows of 2"),
    ({"a": 1}, "could not be read"), ("1 " + "9" * 150, "too long"),
])
def test_parse_vector_refuses_with_message(text, message):
    with pytest.raises(AnswerError, match=message):
        parse_vector(text)


@pytest.mark.parametrize("text", [
    "1 2; 3 4", "[[1, 2], [3, 4]]", "1 2\n3 4", "1\t2\n3\t4", "((1, 2), (3, 4))", "[1 2; 3 4]",
    [[1, 2], [3, 4]], [["1", "2"], ["3", "4"]], np.array([[1.0, 2], [3, 4]]), ((1, 2), (3, 4)),
])
def test_parse_matrix_accepts(text):
    np.testing.assert_array_equal(parse_matrix(text), [[1, 2], [3, 4]])


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("1 2\n3 4 5", "Row 2 of your answer has 3 numbers"), ("[[1,2],[3,4]", "brackets"),
    ("1 2; 3 x", "Row 2, column 2 of your answer is 'x'"), ([[1, [2]]], "nested"), ([[1, 2], 3], "mixes"),
    (np.zeros((2, 2, 2)), "not a matrix"), (np.zeros((0,)), "not a matrix"), ([[None, 1]], "empty"),
    ("; ".join(["1"] * 17), "17 rows"), (3.5, "could not be read"),
])
def test_parse_matrix_refuses_with_message(text, message):
    with pytest.raises(AnswerError, match=message):
        parse_matrix(text)


def test_matrix_messages_start_with_a_capital():
    for text in ["", "1 2\n3"]:
        with pytest.raises(AnswerError) as e:
            parse_matrix(text)
        assert str(e.value)[0].isupper()


# ---------------------------------------------------------------------------------------------
# parse_shape, parse_choice


@pytest.mark.parametrize("text, shape", [
    ("20 x 768", (20, 768)), ("20x768", (20, 768)), ("20×768", (20, 768)), ("20 X 768", (20, 768)),
    ("20 * 768", (20, 768)), ("20 by 768", (20, 768)), ("(20, 768)", (20, 768)), ("[20, 768]", (20, 768)),
    ("20,768", (20, 768)), ("20 768", (20, 768)), ("768", (768,)), ("(768,)", (768,)), ("[768]", (768,)),
    ("torch.Size([20, 768])", (20, 768)), ("shape: (2, 3, 4)", (2, 3, 4)), ("2.0 x 3", (2, 3)),
    ((20, 768), (20, 768)), ([4], (4,)), (12, (12,)),
])
def test_parse_shape_accepts(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text, message", [
    ("", "empty"), (None, "empty"), ("20 x", "separator with no number"), ("x 20", "separator"),
    ("20,,768", "separator"), ("0 x 3", "dimension of 0"), ("2.5 x 3", "whole number"), ("-2 x 3", "whole number above 0"),
    ("n x d", "'n', which is not a number"), ("((20, 768)", "brackets"), ("(20, (768))", "brackets inside"),
    ("()", "no numbers"), (" x ".join(["2"] * 9), "9 dimensions"), ((2.5, 3), "not a shape"), ((), "not a shape"),
    (True, "could not be read"), ("1" * 13, "too large"),
])
def test_parse_shape_refuses_with_message(text, message):
    with pytest.raises(AnswerError, match=message):
        parse_shape(text)


# ---------------------------------------------------------------------------------------------
# fuzzing: parsers raise only AnswerError; grade helpers never raise

NUMBERISH = st.text(alphabet="0123456789.,;:/-+eE xX×*^%~≈−()[]{}\n\tnaif∞", max_size=60)
ANY_TEXT = st.one_of(st.text(max_size=200), NUMBERISH, st.none())
ANY_VALUE = st.one_of(ANY_TEXT, st.integers(), st.floats(), st.booleans(),
                      st.lists(st.one_of(st.floats(), st.integers(), st.text(max_size=5)), max_size=5),
                      st.lists(st.lists(st.floats(), max_size=4), max_size=4),
                      st.tuples(st.integers(), st.integers()))

PARSERS = {
    "number": lambda t: parse_number(t),
    "percent": lambda t: parse_number(t, percent_ok=True),
    "vector": parse_vector,
    "matrix": parse_matrix,
    "shape": parse_shape,
    "choice": lambda t: parse_choice(t, OPTIONS),
    "probability": parse_probability,
}


@pytest.mark.parametrize("parser", PARSERS)
@SETTINGS
@given(text=ANY_VALUE)
def test_fuzz_parsers_raise_only_answer_error(parser, text):
    try:
        out = PARSERS[parser](text)
    except AnswerError as e:
        assert str(e).strip()
        return
    if parser in ("number", "percent"):
        assert isinstance(out, float) and math.isfinite(out)
    elif parser == "probability":
        assert isinstance(out, float) and 0 <= out <= 1
    elif parser in ("vector", "matrix"):
        assert out.ndim == (1 if parser == "vector" else 2) and np.all(np.isfinite(out))
    elif parser == "shape":
        assert out and all(isinstance(d, int) and d > 0 for d in out)
    elif parser == "choice":
        assert 0 <= out < len(OPTIONS)
    else:
        assert isinstance(out, str) and out

