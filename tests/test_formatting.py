"""exercises.formatting: format_answer reads back through the matching parser; bracketed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from exercises.compare import close
from exercises.formatting import bracketed, format_answer
from exercises.parse import MAX_SHAPE_DIMS, parse_matrix, parse_number, parse_shape, parse_vector

SETTINGS = settings(max_examples=150, deadline=None)

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
@given(shape=st.lists(st.integers(1, 10**6), min_size=1, max_size=MAX_SHAPE_DIMS).map(tuple))
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


def test_bracketed():
    assert bracketed([1, -2, 3]) == "[1, -2, 3]"
    assert bracketed([[1, 2], [3, 4]]) == "[[1, 2], [3, 4]]"
    assert bracketed([2.0, 0.5, 1 / 3]) == "[2, 0.5, 0.3333]"  # format_answer's numbers
    assert bracketed(np.array([[1.5, -0.25]])) == "[[1.5, -0.25]]"
    assert bracketed((1, 2)) == "[1, 2]" and bracketed([]) == "[]"

