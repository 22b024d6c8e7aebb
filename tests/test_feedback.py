"""exercises.feedback: Feedback's contract."""

from __future__ import annotations

import json

import pytest

from exercises.feedback import Feedback


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



def test_a_right_answer_with_a_reduced_score_is_still_correct():
    fb = Feedback(True, 0.5, "Correct. After 1 wrong try, this answer earns 50% of the marks.", right=True)
    assert fb.correct and fb.to_dict()["right"] is True
    assert not Feedback(True, 0.5, "Half of the entries are right.").correct  # partial credit is not right
    assert not Feedback(False, 0.0, "Unreadable.", right=True).correct
