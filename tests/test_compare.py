"""exercises.compare: close, cells_close (with the shape message) and unless_close."""

from __future__ import annotations

import numpy as np
import pytest

from exercises.compare import cells_close, close, unless_close
from exercises.feedback import AnswerError

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

