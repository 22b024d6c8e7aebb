"""Practice without signing in (exercises/session_log.py): the gradebook's interface, kept in memory."""

from __future__ import annotations

import pytest

from exercises import BY_ID, practice, submission
from exercises.assignments import parse
from exercises.families import softmax_row
from exercises.session_log import SessionLog
from exercises.store import AttemptsChanged, ExerciseClosed

GOOD = 'title = "Practice"\ntries = 2\n[[exercise]]\nfamily = "softmax_row"\ncount = 2\n'


def test_the_page_flow_runs_on_a_session_log():
    a = parse(GOOD, "week1.toml", BY_ID)
    log = SessionLog()
    p = practice.exercise("practice-1", a, 0).params
    out = submission.submit(log, "practice-1", a, 0, "banana")
    assert not out.feedback.valid and out.state.tries == 0
    out = submission.submit(log, "practice-1", a, 0, softmax_row.solve(p))
    assert out.feedback.correct and out.state.solved
    again = submission.submit(log, "practice-1", a, 0, softmax_row.solve(p))  # the same answer: the same submission
    assert len(log.attempts("practice-1", "week1")) == 2 and again.state.tries == 1
    assert not submission.submit(log, "practice-1", a, 0, "0 0 0").stored  # closed: nothing kept
    with pytest.raises(ExerciseClosed):
        log.record("s4", "practice-1", "week1", 0, "softmax_row", 1, "x", True, 0.0, max_tries=3)
    with pytest.raises(ValueError):
        log.record(log.attempts("practice-1", "week1")[0].submission_id, "practice-1", "week1", 1, "softmax_row", 1, "x", True, 0.0)
    states = practice.states(log, "practice-1", a)
    assert states[0].solved and states[1].tries == 0


def test_known_attempts_other_than_kept_refuse_the_write():
    log = SessionLog()
    log.record("s1", "p", "week1", 0, "softmax_row", 1, "x", True, 0.0)
    with pytest.raises(AttemptsChanged):
        log.record("s2", "p", "week1", 1, "softmax_row", 1, "y", True, 0.0, known_attempts=0)
    assert len(log.rows) == 1
    assert log.record("s2", "p", "week1", 1, "softmax_row", 1, "y", True, 0.0, known_attempts=1).position == 1
