"""exercises/practice.py: who earns a worked solution. A FIXED ("lecture") variant has the same answer
for every student, so an unverified id earns it only by solving it; a verified one also after the last
try; a drawn variant is its student's own, shown after the last try to anyone."""

from __future__ import annotations

import pytest

from exercises import BY_ID, practice, submission
from exercises.assignments import parse
from exercises.store import Store

LECTURE = """
title = "Lecture"
tries = 2
[[exercise]]
family = "attention_weights"
variant = "lecture"
[[exercise]]
family = "softmax_row"
"""


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'gb.sqlite3'}")
    yield s
    s.close()


def spend_tries(store, student, a, pos):
    ex = practice.exercise(student, a, pos)
    right = practice.solution(ex, None).answer
    options = ex.form()["options"]
    # one typed answer is one try, so each try types a wrong option anew: as its text, then as its letter
    wrongs = [o for o in options if o != right] + [chr(97 + i) for i, o in enumerate(options) if o != right]
    for n in range(practice.states(store, student, a)[pos].max_tries):
        assert submission.submit(store, student, a, pos, wrongs[n]).feedback.valid


@pytest.mark.parametrize("verified", [False, True])
def test_a_lecture_variant_out_of_tries_shows_its_answer_only_to_a_verified_student(store, verified):
    a = parse(LECTURE, "lecture.toml", BY_ID)
    spend_tries(store, "throwaway", a, 0)
    state = practice.states(store, "throwaway", a, verified=verified)[0]
    assert state.closed and not state.solved and state.fixed
    assert state.earned_solution is verified
    ex = practice.exercise("throwaway", a, 0)
    if verified:
        assert practice.solution(ex, state).answer
    else:
        with pytest.raises(PermissionError):
            practice.solution(ex, state)


def test_a_drawn_variant_out_of_tries_shows_its_answer_to_anyone(store):
    a = parse(LECTURE, "lecture.toml", BY_ID)
    n = len(practice.exercise("throwaway", a, 1).params["scores"])
    for typed in ["0.1 " * n, "0.2 " * n]:
        assert submission.submit(store, "throwaway", a, 1, typed).feedback.valid
    state = practice.states(store, "throwaway", a)[1]  # unverified by default
    assert state.closed and not state.fixed and state.earned_solution


def test_solving_a_lecture_variant_earns_its_answer_even_unverified(store):
    a = parse(LECTURE, "lecture.toml", BY_ID)
    ex = practice.exercise("solver", a, 0)
    right = practice.solution(ex, None).answer
    assert submission.submit(store, "solver", a, 0, right).feedback.correct
    state = practice.states(store, "solver", a, verified=False)[0]
    assert state.solved and state.earned_solution
