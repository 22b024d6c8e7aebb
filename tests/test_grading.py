"""exercises.grading: grading with tolerance, partial credit and named mistakes; hypothesis fuzzes every
grade helper: none raises."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.choices import grade_choice
from exercises.feedback import Feedback
from exercises.grading import grade_matrix, grade_number, grade_shape, grade_vector

SETTINGS = settings(max_examples=150, deadline=None)
OPTIONS = ["softmax", "ReLU", "the sum", "1/2"]

# fuzzing: grade helpers never raise

NUMBERISH = st.text(alphabet="0123456789.,;:/-+eE xX×*^%~≈−()[]{}\n\tnaif∞", max_size=60)
ANY_TEXT = st.one_of(st.text(max_size=200), NUMBERISH, st.none())
ANY_VALUE = st.one_of(ANY_TEXT, st.integers(), st.floats(), st.booleans(),
                      st.lists(st.one_of(st.floats(), st.integers(), st.text(max_size=5)), max_size=5),
                      st.lists(st.lists(st.floats(), max_size=4), max_size=4),
                      st.tuples(st.integers(), st.integers()))


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

