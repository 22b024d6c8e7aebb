"""exercises.base: every accepted way of typing an answer, a message for every way of getting it
wrong, grading with tolerance, partial credit and named mistakes, stable variants, and the family
self-test (check_family) — which passes on softmax_row and fails, saying why, on broken toy families.
Hypothesis fuzzes every parser and grade helper: only AnswerError may escape a parser, nothing a grader."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from exercises import base
from exercises.base import (
    AnswerError,
    Feedback,
    bracketed,
    cells_close,
    check_family,
    close,
    distinct,
    format_answer,
    grade_choice,
    grade_matrix,
    grade_number,
    grade_shape,
    grade_vector,
    parse_choice,
    parse_matrix,
    parse_number,
    parse_probability,
    parse_shape,
    parse_vector,
    per_variant,
    typed_mistakes,
    unless_close,
    variant_seed,
)
from exercises.families import softmax_row

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


@pytest.mark.parametrize("text, index", [
    ("softmax", 0), ("SoftMax", 0), ("  the   SUM ", 2), ("relu.", 1), ("2", 1), ("2)", 1), ("b", 1),
    ("B)", 1), ("(c)", 2), ("d.", 3), ("b) relu", 1), ("C: the sum", 2), ("1/2", 3), (3, 2),
])
def test_parse_choice_accepts(text, index):
    assert parse_choice(text, OPTIONS) == index


@pytest.mark.parametrize("text, message", [
    ("", "empty"), (None, "empty"), ("e", "names no option"), ("5", "names no option"), ("0", "names no option"),
    ("tanh", "not one of the options"), ("b) the sum", "not one of the options"), ("x" * 5000, "too long"),
])
def test_parse_choice_refuses_with_message(text, message):
    with pytest.raises(AnswerError, match=message) as e:
        parse_choice(text, OPTIONS)
    if message != "too long":
        assert "a letter A–D, a number 1–4, or the option's text" in str(e.value)


def test_parse_choice_unlettered():
    assert parse_choice("3", OPTIONS, lettered=False) == 2
    with pytest.raises(AnswerError, match="names no option"):
        parse_choice("c", OPTIONS, lettered=False)
    assert parse_choice("4", ["1", "2", "4", "8"]) == 2  # an option's text wins over option numbers
    assert parse_choice("3", ["1", "2", "4", "8"]) == 2
    assert base.format_choices(["x", "y"]) == "A) x\nB) y"
    assert base.format_choices(["x", "y"], lettered=False) == "1) x\n2) y"


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


GRADERS = {
    "number": lambda t: grade_number(0.5, t, {"m": 2.0}, {"m": "m"}),
    "vector": lambda t: grade_vector([0.2, 0.8], t, {"m": [0.8, 0.2]}, {"m": "m"}),
    "matrix": lambda t: grade_matrix([[1, 2], [3, 4]], t, {"t": [[1, 3], [2, 4]]}, {"t": "t"}),
    "shape": lambda t: grade_shape((2, 3), t, {"t": (3, 2)}, {"t": "t"}),
    "choice": lambda t: grade_choice(0, t, OPTIONS, {"m": 1}, {"m": "m"}),
    "probability": lambda t: grade_number(0.5, t, {"m": 0.2}, {"m": "m"}, probability=True),
}


@pytest.mark.parametrize("grader", GRADERS)
@SETTINGS
@given(text=ANY_VALUE)
def test_fuzz_graders_never_raise(grader, text):
    fb = GRADERS[grader](text)
    assert isinstance(fb, Feedback) and fb.message and 0 <= fb.score <= 1
    if not fb.valid:
        assert fb.score == 0 and fb.mistake is None


@SETTINGS
@given(x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_format_answer_number_reads_back(x):
    assert close(parse_number(format_answer(x)), x)


@SETTINGS
@given(a=arrays(float, array_shapes(min_dims=1, max_dims=2, max_side=6),
                elements=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)))
def test_format_answer_arrays_read_back(a):
    back = parse_vector(format_answer(a)) if a.ndim == 1 else parse_matrix(format_answer(a))
    assert back.shape == a.shape and np.all(close(back, a))


@SETTINGS
@given(shape=st.lists(st.integers(1, 10**6), min_size=1, max_size=base.MAX_SHAPE_DIMS).map(tuple))
def test_format_answer_shape_reads_back(shape):
    assert parse_shape(format_answer(shape)) == shape


def test_format_answer_forms():
    assert format_answer(0.123456) == "0.1235"
    assert format_answer(3.0) == "3"
    assert format_answer(1e-7) == "1e-07"
    assert format_answer([0.25, 0.5]) == "0.25 0.5"
    assert format_answer(np.array([[1, 2], [3, 4.5]])) == "1 2; 3 4.5"
    assert format_answer((20, 768)) == "20 x 768"
    assert format_answer("d") == "d"
    with pytest.raises(ValueError):
        format_answer(np.zeros((2, 2, 2)))


# ---------------------------------------------------------------------------------------------
# close, cells_close, unless_close, Feedback


def test_close():
    assert close(0.2447, 0.245) and close(100, 100.9) and not close(100, 102)
    assert close(0.0004, 0.0013) and not close(0.0004, 0.0016)  # absolute 1e-3 near zero
    assert not close(float("nan"), float("nan")) and not close(1, float("nan"))
    assert close(float("inf"), float("inf")) and not close(float("inf"), -float("inf"))
    assert not close(float("inf"), 1e308) and not close(1e308, -1e308)
    np.testing.assert_array_equal(close([1, 2, np.nan], [1.001, 3, 1]), [True, False, False])
    assert isinstance(close(1, 1), bool)
    assert close(1.0, 1.04, rel=0.05) and not close(1.0, 1.04)


def test_cells_close_and_shape_message():
    np.testing.assert_array_equal(cells_close([[1, 2], [3, 4]], [[1, 2.5], [3, 4]]), [[True, False], [True, True]])
    with pytest.raises(AnswerError, match=r"2 rows and 3 columns \(2×3\), but this answer has 3 rows and 2 columns"):
        cells_close(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(AnswerError, match="2 numbers, but this answer has 3 numbers"):
        cells_close([1, 2, 3], [1, 2])


def test_unless_close():
    assert unless_close(0.5, 0.5004) is None
    assert unless_close(0.6, 0.5) == 0.6
    assert unless_close([1, 2], [1, 3], [1, 2.001]) is None  # equals an earlier mistake
    assert unless_close([1, 2], [1, 2, 3]) == [1, 2]  # another shape is always distinct
    assert unless_close(None, 1) is None


def test_distinct_keeps_each_mistake_the_grader_can_tell_apart():
    got = distinct({"a": 0.5004, "b": 0.7, "c": 0.7001, "d": None, "e": [1, 2], "f": 0.9}, 0.5)
    assert got == {"a": None, "b": 0.7, "c": None, "d": None, "e": [1, 2], "f": 0.9}  # a: right; c: as b
    assert list(got) == ["a", "b", "c", "d", "e", "f"]
    # a dropped value never hides a later one: only the kept ones count as earlier
    assert distinct({"x": 1.0, "y": 1.0}, 2.0) == {"x": 1.0, "y": None}
    # names: that order, names missing from candidates None, candidates not named left out
    assert distinct({"b": 3.0, "a": 3.0, "z": 9.0}, 1.0, names=["a", "b", "c"]) == {"a": 3.0, "b": None, "c": None}
    arrays = distinct({"m": np.eye(2), "t": np.eye(2).T, "s": np.ones(3)}, np.zeros((2, 2)))
    assert arrays["m"] is not None and arrays["t"] is None and arrays["s"] is not None


def test_distinct_tolerances_shapes_and_option_indices():
    assert distinct({"near": 770.0}, 768.0) == {"near": None}  # within 1 %
    assert distinct({"near": 770.0}, 768.0, rel=0.0, abs_=1e-6) == {"near": 770.0}
    shapes = {"one": (768,), "swapped": (768, 20), "same": (20, 768), "again": (768,), "close": (20, 770)}
    assert distinct(shapes, (20, 768), rel=0.0, abs_=1e-6) == {
        "one": (768,), "swapped": (768, 20), "same": None, "again": None, "close": (20, 770)}
    # option indices: distinct ones are never close at the default tolerances
    assert distinct({"a": 1, "b": 0, "c": 1, "d": 2}, 0) == {"a": 1, "b": None, "c": None, "d": 2}


def test_per_variant_works_a_variant_out_once():
    calls = []

    @per_variant
    def doubled(p: dict) -> dict:
        """Doubles x."""
        calls.append(p)
        p["x"] = [2 * v for v in p["x"]]  # fn has its own copy of the params
        return {"x": p["x"]}

    p = {"x": [1, 2], "name": "a"}
    first = doubled(p)
    assert first == {"x": [2, 4]} and p == {"x": [1, 2], "name": "a"}
    assert doubled({"name": "a", "x": [1, 2]}) is first  # same params, any key order: the shared result
    assert len(calls) == 1 and doubled.cache_info().hits == 1
    assert doubled({"x": [1, 3], "name": "a"}) == {"x": [2, 6]} and len(calls) == 2
    assert doubled.__name__ == "doubled" and doubled.__doc__ == "Doubles x."
    doubled.cache_clear()
    doubled(p)
    assert len(calls) == 3


def test_typed_mistakes_builds_mistakes():
    def values(p: dict) -> dict:
        return {"sum": p["a"] + p["b"] + 0.5, "none": None, "pair": [p["a"], p["b"]], "option": 1}

    mistakes = typed_mistakes(values, ["sum", "none", "pair"])
    assert list(mistakes) == ["sum", "none", "pair"]
    p = {"a": 1, "b": 2}
    assert mistakes["sum"](p) == "3.5" and mistakes["none"](p) is None and mistakes["pair"](p) == "1 2"
    assert [f.__name__ for f in mistakes.values()] == ["sum", "none", "pair"]
    options = ["cat", "dog"]
    chosen = typed_mistakes(values, ["option", "none"], lambda p, i: options[i])
    assert chosen["option"](p) == "dog" and chosen["none"](p) is None


def test_bracketed():
    assert bracketed([1, -2, 3]) == "[1, -2, 3]"
    assert bracketed([[1, 2], [3, 4]]) == "[[1, 2], [3, 4]]"
    assert bracketed([2.0, 0.5, 1 / 3]) == "[2, 0.5, 0.3333]"  # format_answer's numbers
    assert bracketed(np.array([[1.5, -0.25]])) == "[[1.5, -0.25]]"
    assert bracketed((1, 2)) == "[1, 2]" and bracketed([]) == "[]"


def test_check_family_accepts_a_toy_built_from_the_shared_pieces():
    m = toy_family()

    @per_variant
    def mistakes(p: dict) -> dict:
        return distinct({"product": p["a"] * p["b"], "difference": p["a"] - p["b"]}, p["a"] + p["b"])

    m.MISTAKES = typed_mistakes(mistakes, ["product", "difference"])
    m.grade = lambda p, answer: grade_number(p["a"] + p["b"], answer, lambda: mistakes(p),
                                             {"product": "You multiplied.", "difference": "You subtracted."})
    check_family(m, seeds=range(50))
    p = {"a": 2, "b": 2}  # 2 · 2 = 2 + 2: no product mistake here
    assert m.MISTAKES["product"](p) is None and m.MISTAKES["difference"](p) == "0"


def test_feedback_contract():
    fb = Feedback(True, 0.5, "Half.", mistake="m", cells=[[True, False]], hint="h")
    assert json.loads(json.dumps(fb.to_dict())) == fb.to_dict()
    assert not fb.correct and Feedback(True, 1.0, "Correct.").correct
    with pytest.raises(ValueError):
        Feedback(True, 1.5, "x")
    with pytest.raises(ValueError):
        Feedback(True, float("nan"), "x")
    with pytest.raises(ValueError):
        Feedback(False, 0.5, "x")
    with pytest.raises(ValueError):
        Feedback(False, 0.0, "x", mistake="m")
    with pytest.raises(ValueError):
        Feedback(True, 1.0, "")


# ---------------------------------------------------------------------------------------------
# grade helpers

EXPLAIN = {"no_scaling": "You forgot to divide by sqrt(d_k).", "doubled": "You doubled it."}


def test_grade_number():
    mistakes = {"no_scaling": 2.0, "doubled": None}
    assert grade_number(0.5, "0.5", mistakes, EXPLAIN) == Feedback(True, 1.0, "Correct.")
    assert grade_number(0.5, "1/2", mistakes, EXPLAIN).score == 1
    assert grade_number(0.5, "0.504", mistakes, EXPLAIN).score == 1  # within rel 1e-2
    assert grade_number(0.5, 0.5, mistakes, EXPLAIN).score == 1  # a value, as solve() may return
    fb = grade_number(0.5, "2", mistakes, EXPLAIN, hint="Divide.")
    assert (fb.valid, fb.score, fb.mistake, fb.message, fb.hint) == (True, 0, "no_scaling", EXPLAIN["no_scaling"],
                                                                      "Divide.")
    fb = grade_number(0.5, "0.7", mistakes, EXPLAIN)
    assert (fb.valid, fb.score, fb.mistake, fb.message) == (True, 0, None, "Not correct.")
    fb = grade_number(0.5, "half", mistakes, EXPLAIN)
    assert (fb.valid, fb.score, fb.mistake) == (False, 0, None) and "not a number" in fb.message
    # a mistake value that equals the right answer is never named
    assert grade_number(0.5, "0.5", {"doubled": 0.5}, EXPLAIN).score == 1
    # percentages where natural; a missing explanation falls back to a generic one; lazy mistakes
    assert grade_number(0.25, "25%", {}, {}, percent_ok=True).score == 1
    assert grade_number(0.25, "25%", {}, {}).valid is False
    assert grade_number(1.0, "3", {"off_by_two": 3.0}, {}).message == "This is a common mistake (off by two)."
    assert grade_number(1.0, "3", lambda: {"doubled": 3.0}, EXPLAIN).mistake == "doubled"
    assert grade_number(1.0, "1", lambda: 1 / 0, EXPLAIN).score == 1  # mistakes not computed when right
    assert grade_number(1.0, "1.5", {}, {}, rel=0.6).score == 1


def test_grade_matrix_partial_credit_and_mistakes():
    right = np.array([[1.0, 2.0], [3.0, 4.0]])
    mistakes = {"transposed": right.T, "doubled": 2 * right}
    explain = {"transposed": "You transposed it.", "doubled": "You doubled it."}
    fb = grade_matrix(right, "1 2; 3 4", mistakes, explain)
    assert (fb.valid, fb.score, fb.message, fb.cells) == (True, 1, "Correct.", [[True, True], [True, True]])
    assert grade_matrix(right, "1.004 2; 3 4", mistakes, explain).score == 1
    assert grade_matrix(right, right, mistakes, explain).score == 1
    fb = grade_matrix(right, "1 2; 3 5", mistakes, explain, hint="h")
    assert (fb.score, fb.mistake, fb.cells, fb.hint) == (0.75, None, [[True, True], [True, False]], "h")
    assert fb.message == "Not correct. 3 of 4 entries are right; the wrong ones are marked."
    # the transpose shares its diagonal with the right answer: still named, with the diagonal's credit
    fb = grade_matrix(right, "[[1, 3], [2, 4]]", mistakes, explain)
    assert (fb.valid, fb.score, fb.mistake, fb.cells) == (True, 0.5, "transposed", [[True, False], [False, True]])
    assert fb.message.startswith("You transposed it.")
    assert grade_matrix(right, "2 4; 6 8", mistakes, explain).mistake == "doubled"


def test_grade_matrix_shapes():
    right = np.arange(6.0).reshape(2, 3)
    fb = grade_matrix(right, "0 3; 1 4; 2 5", {"transposed": right.T}, {"transposed": "Transposed."})
    assert (fb.valid, fb.score, fb.mistake, fb.cells) == (True, 0, "transposed", None)  # a mistake of another shape
    fb = grade_matrix(right, "1 2; 3 4", {"transposed": right.T}, {})
    assert not fb.valid and fb.message == ("Your answer has 2 rows and 2 columns (2×2), but this answer has "
                                           "2 rows and 3 columns (2×3).")
    assert not grade_matrix(right, "[[1,2", {}, {}).valid


def test_grade_vector():
    right = [0.2447, 0.6652, 0.0900]
    mistakes = {"uniform": [1 / 3] * 3, "same": right}
    for typed in ["0.245 0.665 0.090", "[0.2447, 0.6652, 0.09]", "0.245\n0.665\n0.09", np.array(right)]:
        assert grade_vector(right, typed, mistakes, {}).score == 1
    fb = grade_vector(right, "1/3 1/3 1/3", mistakes, {"uniform": "Uniform."})
    assert (fb.mistake, fb.score, fb.cells) == ("uniform", 0, [[False, False, False]])
    fb = grade_vector(right, "0.245 0.665 0.5", mistakes, {})
    assert (fb.score, fb.cells) == (pytest.approx(2 / 3), [[True, True, False]])
    fb = grade_vector(right, "0.5 0.5", mistakes, {})
    assert not fb.valid and fb.message == "Your answer has 2 numbers, but this answer has 3 numbers."


def test_grade_shape_and_choice():
    mistakes = {"transposed": (768, 20), "none": None}
    explain = {"transposed": "Rows are tokens."}
    assert grade_shape((20, 768), "(20, 768)", mistakes, explain).score == 1
    assert grade_shape((20, 768), (20, 768), mistakes, explain).score == 1
    fb = grade_shape((20, 768), "768 x 20", mistakes, explain)
    assert (fb.score, fb.mistake, fb.message) == (0, "transposed", "Rows are tokens.")
    assert grade_shape((20, 768), "20", mistakes, explain) == Feedback(True, 0.0, "Not correct.")
    assert not grade_shape((20, 768), "20 x n", mistakes, explain).valid

    mistakes = {"relu": 1, "same": 0}
    assert grade_choice(0, "A", OPTIONS, mistakes, {}).score == 1
    assert grade_choice(0, "Softmax", OPTIONS, mistakes, {}).score == 1
    fb = grade_choice(0, "b", OPTIONS, mistakes, {"relu": "ReLU is not a normaliser."})
    assert (fb.score, fb.mistake, fb.message) == (0, "relu", "ReLU is not a normaliser.")
    assert grade_choice(0, "c", OPTIONS, mistakes, {}).mistake is None
    assert not grade_choice(0, "z", OPTIONS, mistakes, {}).valid


# ---------------------------------------------------------------------------------------------
# variants

EXPECTED_SEEDS = {
    ("s1", "a1", 0): 2558765024048736144,
    ("s1", "a1", 1): 5002198016090264022,
    ("alice", "week3", 2): 4274103186343821186,
}


def test_variant_seed_is_pinned():
    """A change in the derivation would give every student new variants: these values must not move."""
    for args, seed in EXPECTED_SEEDS.items():
        assert variant_seed(*args) == seed
        canonical = json.dumps(["attention-lab/variant/v1", *args], separators=(",", ":"))
        assert seed == int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big") >> 1
        assert 0 <= seed < 2**63  # fits the gradebook's signed 64-bit seed column


def test_variant_seed_same_in_another_process():
    code = "from exercises.base import variant_seed; print(variant_seed('s1', 'a1', 0))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert int(out.stdout) == EXPECTED_SEEDS[("s1", "a1", 0)]


def test_variant_seed_differs_by_position_student_assignment():
    seeds = {variant_seed("s1", "a1", i) for i in range(200)}
    seeds |= {variant_seed(f"s{i}", "a1", 0) for i in range(2, 200)} | {variant_seed("s1", "a2", 0)}
    assert len(seeds) == 200 + 198 + 1
    assert variant_seed("s1a", "1", 0) != variant_seed("s1", "a1", 0)  # no ambiguity from joining
    assert all(0 <= s < 2**64 for s in seeds)


def test_variant_seed_reproducible_and_typed():
    rng = lambda: np.random.default_rng(variant_seed("bob", "hw1", 0))  # noqa: E731
    assert softmax_row.generate(rng()) == softmax_row.generate(rng())
    for bad in [(1, "a", 0), ("s", None, 0), ("s", "a", 1.0), ("s", "a", True)]:
        with pytest.raises(TypeError):
            variant_seed(*bad)


# ---------------------------------------------------------------------------------------------
# softmax_row and check_family


def test_softmax_row_passes_check_family():
    check_family(softmax_row)


def test_softmax_row_answers():
    p = {"scores": [1, 3, 5], "scale": True, "d_k": 16}
    assert "d_k = 16" in softmax_row.prompt(p) and "[1, 3, 5]" in softmax_row.prompt(p)
    assert softmax_row.solve(p) == "0.1863 0.3072 0.5065"
    assert softmax_row.grade(p, "0.186, 0.307, 0.507").score == 1
    assert softmax_row.grade(p, "[0.19, 0.31, 0.51]").score < 1  # 2 decimals are not enough here
    for name in ["no_scaling", "divided_by_d_k", "no_exponent", "forgot_normalisation", "max_instead_of_softmax"]:
        fb = softmax_row.grade(p, softmax_row.MISTAKES[name](p))
        assert fb.mistake == name and fb.score < 1 and fb.message.startswith(softmax_row.EXPLAIN[name])
        assert fb.hint == softmax_row.HINT and fb.cells is not None
    assert softmax_row.grade(p, "0 0 1").mistake == "max_instead_of_softmax"
    unscaled = {"scores": [1, 3, 5], "scale": False, "d_k": None}
    assert softmax_row.MISTAKES["no_scaling"](unscaled) is None
    assert softmax_row.MISTAKES["divided_by_d_k"](unscaled) is None
    assert "Divide by sqrt(16) = 4" in softmax_row.worked_solution(p)


def test_softmax_row_one_hot_is_no_mistake_when_softmax_is_nearly_one_hot():
    p = {"scores": [-3, -3, 5], "scale": False, "d_k": None}  # softmax ≈ [0.0003, 0.0003, 0.9993]
    assert softmax_row.MISTAKES["max_instead_of_softmax"](p) is None
    assert softmax_row.grade(p, "0 0 1").score == 1


def toy_family(**overrides) -> types.ModuleType:
    """a + b, with the mistake a * b; overrides break one part of the contract."""
    m = types.ModuleType("toy_family")
    m.ID, m.TITLE, m.TOPIC = "toy", "Toy sum", "testing"
    m.generate = lambda rng: {"a": int(rng.integers(1, 10)), "b": int(rng.integers(1, 10))}
    m.prompt = lambda p: f"{p['a']} + {p['b']} = ?"
    m.solve = lambda p: p["a"] + p["b"]  # a value: check_family also grades its typed form
    m.MISTAKES = {"product": lambda p: unless_close(p["a"] * p["b"], p["a"] + p["b"])}
    m.grade = lambda p, answer: grade_number(p["a"] + p["b"], answer, {"product": p["a"] * p["b"]},
                                             {"product": "You multiplied."})
    for k, v in overrides.items():
        setattr(m, k, v)
    return m


def test_check_family_accepts_the_toy():
    check_family(toy_family(), seeds=range(50))


_counter = iter(range(10**9))

BROKEN = {
    "mistake equals the right answer": (
        {"MISTAKES": {"same": lambda p: str(p["a"] + p["b"])}},
        r"mistake 'same' \('\d+'\) scores 1.0: it equals the right answer here, so MISTAKES\['same'\] should return None"),
    "non-deterministic generate": (
        {"generate": lambda rng: {"a": 1 + next(_counter) % 9, "b": 2}},
        r"toy \(seed 0\): generate is not deterministic"),
    "numpy in params": (
        {"generate": lambda rng: {"a": rng.integers(1, 10), "b": 2}}, r"params are not JSON-safe"),
    "tuple in params": (
        {"generate": lambda rng: {"a": 1, "b": 2, "pair": (1, 2)}}, r"params change in a JSON round trip"),
    "mistake not named": (
        {"grade": lambda p, a: grade_number(p["a"] + p["b"], a, {}, {})},
        r"mistake 'product' \(\d+\) is graded as mistake=None"),
    "grade raises on garbage": (
        {"grade": lambda p, a: toy_family().grade(p, a) if a != "banana" else Feedback(True, float(a), "ok")},
        r"grade of garbage .* raised"),
    "garbage graded valid": (
        {"grade": lambda p, a: Feedback(True, 0.0, "Not correct.") if a == "banana" else
            grade_number(p["a"] + p["b"], a, {"product": p["a"] * p["b"]}, {})},
        r"garbage 'banana' must be invalid"),
    "wrong solve": ({"solve": lambda p: p["a"] - p["b"] - 100}, r"grade of solve's answer -?\d+ is valid=True, score=0"),
    "missing prompt": ({"prompt": None}, r"prompt raised TypeError"),
    "empty prompt": ({"prompt": lambda p: " "}, r"prompt\(params\) must return a non-empty str"),
    "grade returns a dict": ({"grade": lambda p, a: {"score": 1}}, r"returned dict, not Feedback"),
    "empty TITLE": ({"TITLE": ""}, r"TITLE must be a non-empty str"),
    "MISTAKES not functions": ({"MISTAKES": {"product": 3}}, r"MISTAKES must map names"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_check_family_fails_with_a_clear_message(case):
    overrides, message = BROKEN[case]
    with pytest.raises(AssertionError, match=message):
        check_family(toy_family(**overrides), seeds=range(20))


def test_check_family_lists_missing_attributes():
    m = toy_family()
    del m.grade, m.MISTAKES
    with pytest.raises(AssertionError, match="lacks MISTAKES, grade"):
        check_family(m)


def test_check_family_garbage_is_per_family():
    options = ["query", "key", "value", "banana"]  # an option that base's junk happens to name
    words = toy_family(generate=lambda rng: {"w": "query"}, prompt=lambda p: "Which vector asks?",
                       solve=lambda p: "query", MISTAKES={"key": lambda p: "key"},
                       grade=lambda p, a: grade_choice(0, a, options, {"key": 1}, {"key": "Keys answer."}))
    with pytest.raises(AssertionError, match="garbage 'banana' must be invalid"):
        check_family(words, seeds=range(3))
    words.GARBAGE = ("", "  ", "42", "[[1,2", None, "x" * 10_000)
    check_family(words, seeds=range(3))


def test_variant_seeds_fit_the_gradebook_column():
    """The store keeps seeds in a signed 64-bit column; an unsigned hash would overflow it for half the ids."""
    assert all(0 <= variant_seed(f"s{i}", "week1", p) < 2**63 for i in range(500) for p in range(3))
