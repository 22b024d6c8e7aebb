"""exercises/submission.py's `known`: the attempts the page was drawn from, passed to submit() instead of
read again. The gradebook checks in the write's transaction that it holds as many; another tab's (or
process's) attempt stored meanwhile makes submit read them again. Against SQLite and a real PostgreSQL,
two "tabs" being two lists of attempts read at different moments."""

from __future__ import annotations

import textwrap

import pytest

from exercises import BY_ID, practice, submission
from exercises.assignments import parse
from exercises.families import concepts, softmax_row
from exercises.store import Store
from tests.postgres import new_postgres_database

NUMBERS = parse(textwrap.dedent("""
    tries = 2
    [[exercise]]
    family = "softmax_row"
    count = 2
"""), "numbers.toml", BY_ID)
CHOICE = parse('tries = 3\n[[exercise]]\nfamily = "concepts"\nvariant = "why_pooling"\n', "choice.toml", BY_ID)


class CountingStore(Store):
    """The real Store, counting its reads of a student's attempts."""

    reads = 0

    def attempts(self, *args, **kwargs):
        self.reads += 1
        return super().attempts(*args, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gradebook.sqlite3'}"
    else:
        url = new_postgres_database(request.getfixturevalue("postgres_url"))
    s = CountingStore(url)
    yield s
    s.close()


def answers(student: str) -> tuple[str, str, str]:
    """Two different wrong answers and the right one to exercise 1 of NUMBERS."""
    p = practice.exercise(student, NUMBERS, 0).params
    n = len(p["scores"])
    return softmax_row.MISTAKES["max_instead_of_softmax"](p), " ".join([f"{1 / n:.4f}"] * n), softmax_row.solve(p)


def test_known_attempts_are_not_read_again_and_give_what_a_read_gives(store):
    wrong, _, right = answers("ann")
    drawn = store.attempts("ann", NUMBERS.id)  # what the page read to draw the exercise
    store.reads = 0
    out = submission.submit(store, "ann", NUMBERS, 0, wrong, known=drawn)
    assert store.reads == 0 and out.stored and out.state.tries == 1 and not out.feedback.correct
    assert out.attempts == store.attempts("ann", NUMBERS.id)  # the page's next run draws from these
    store.reads = 0
    out = submission.submit(store, "ann", NUMBERS, 0, right, known=out.attempts)
    assert store.reads == 0 and out.feedback.correct and out.state.solved and len(out.attempts) == 2
    again = submission.submit(store, "ann", NUMBERS, 0, right, known=out.attempts)  # a double click
    assert again.repeated and store.reads == 0 and len(store.attempts("ann", NUMBERS.id)) == 2


def test_a_list_read_before_another_tab_submitted_is_read_again_and_the_gradebook_counts_the_tries(store):
    wrong, other_wrong, right = answers("bo")
    tab_a = store.attempts("bo", NUMBERS.id)  # tab A drew the exercise: no attempt yet
    submission.submit(store, "bo", NUMBERS, 0, wrong)  # tab B uses a try
    store.reads = 0
    out = submission.submit(store, "bo", NUMBERS, 0, other_wrong, known=tab_a)
    assert store.reads == 1 and out.stored  # read again, then stored
    assert out.state.tries == 2 and out.state.closed and len(out.attempts) == 2  # both tries, as stored
    late = submission.submit(store, "bo", NUMBERS, 0, right, known=tab_a)  # tab A again, still from its old list
    assert not late.stored and late.feedback.message == "This exercise is finished: every try is used."
    assert [a.answer for a in store.attempts("bo", NUMBERS.id)] == [wrong, other_wrong]


def test_an_attempt_to_another_exercise_from_another_tab_shows_in_the_attempts_returned(store):
    wrong, _, _ = answers("cy")
    tab_a = store.attempts("cy", NUMBERS.id)
    p2 = practice.exercise("cy", NUMBERS, 1).params
    submission.submit(store, "cy", NUMBERS, 1, softmax_row.solve(p2))  # tab B solves exercise 2
    out = submission.submit(store, "cy", NUMBERS, 0, wrong, known=tab_a)
    states = practice.states(store, "cy", NUMBERS, attempts=out.attempts)
    assert [s.tries for s in states] == [1, 1] and states[1].solved  # the page's score counts tab B's


def test_the_same_answer_from_two_tabs_is_one_attempt(store):
    wrong, _, _ = answers("dee")
    tab_a = store.attempts("dee", NUMBERS.id)
    first = submission.submit(store, "dee", NUMBERS, 0, wrong)  # tab B
    out = submission.submit(store, "dee", NUMBERS, 0, wrong, known=tab_a)  # tab A, the same answer
    assert out.repeated and out.feedback == first.feedback and out.state.tries == 1
    assert len(store.attempts("dee", NUMBERS.id)) == 1


def test_a_right_choice_after_another_tabs_wrong_try_earns_the_reduced_score(store):
    p = practice.exercise("eve", CHOICE, 0).params
    wrong = next(o for o in p["options"] if o != concepts.solve(p))
    tab_a = store.attempts("eve", CHOICE.id)
    submission.submit(store, "eve", CHOICE, 0, wrong)  # tab B: a wrong try
    out = submission.submit(store, "eve", CHOICE, 0, concepts.solve(p), known=tab_a)
    assert out.feedback.correct and out.feedback.score == 0.5 and out.state.score == 0.5  # not 1: a try was used
    assert [a.score for a in store.attempts("eve", CHOICE.id)] == [0.0, 0.5]
