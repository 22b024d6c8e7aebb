"""exercises.choices: every typed form of a choice, and a message for a choice that names no option, the 1 / 0.5 / 0.25 rule for a right answer after wrong
tries, fewer tries for items with few options, and both through submission.submit with a real gradebook."""

from __future__ import annotations

import pytest

from exercises import BY_ID, practice, submission
from exercises.assignments import parse
from exercises.choices import (
    CHOICE_PASS_MARK,
    MIN_OPTIONS,
    choice_tries,
    format_choices,
    grade_choice,
    parse_choice,
    pass_mark,
    reduced_score,
)
from exercises.families import attention_weights, concepts, embedding_dims
from exercises.feedback import AnswerError, Feedback
from exercises.store import SOLVED, Store

CHOICE = {"kind": "choice", "options": ["a", "b", "c", "d"]}
OPTIONS = ["softmax", "ReLU", "the sum", "1/2"]
LECTURE_OPTIONS = ["768, 15630 and 768", "768, 768 and 768", "15360, 768 and 15630", "768, 768 and 15360"]


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
    assert format_choices(["x", "y"]) == "A) x\nB) y"
    assert format_choices(["x", "y"], lettered=False) == "1) x\n2) y"




@pytest.mark.parametrize("typed", ["option 4", "Option 4", "option: 4", "option D", "choice 4", "answer d", "#4",
                                   "768, 768 and 15360", "768,768 and 15,360", "768, 768, and 15360.", "D) 768, 768 and 15360"])
def test_a_choice_typed_as_option_n_or_its_text(typed):
    assert parse_choice(typed, LECTURE_OPTIONS) == 3


@pytest.mark.parametrize("typed", ["option 5", "option", "option e", "768 and 15360"])
def test_a_choice_that_names_no_option_is_unreadable(typed):
    with pytest.raises(AnswerError):
        parse_choice(typed, LECTURE_OPTIONS)


@pytest.mark.parametrize("wrong_before, score", [(0, 1.0), (1, 0.5), (2, 0.25), (3, 0.125)])
def test_a_right_choice_scores_less_after_wrong_tries(wrong_before, score):
    fb = reduced_score(Feedback(True, 1.0, "Correct."), CHOICE, wrong_before)
    assert fb.valid and fb.score == score and fb.message.startswith("Correct.")
    if wrong_before:
        assert f"earns {score * 100:g}% of the marks" in fb.message  # 50%, 25%, 12.5%


def test_only_right_choices_are_reduced():
    wrong = Feedback(True, 0.0, "Not correct.", mistake="m")
    unread = Feedback(False, 0.0, "Your answer is empty.")
    for fb in (wrong, unread):
        assert reduced_score(fb, CHOICE, 2) is fb
    right = Feedback(True, 1.0, "Correct.")
    for form in ({"kind": "number"}, {"kind": "matrix", "rows": 2, "cols": 2}, {"kind": "text"}):
        assert reduced_score(right, form, 2) is right  # partial credit and numbers: their own rules


@pytest.mark.parametrize("n, tries, allowed", [
    (4, 3, 3), (5, 20, 20), (3, 3, 1), (3, 1, 1), (2, 3, 1), (2, 1, 1), (6, 1, 1)])
def test_few_options_give_fewer_tries(n, tries, allowed):
    assert choice_tries(tries, {"kind": "choice", "options": [str(i) for i in range(n)]}) == allowed
    assert choice_tries(tries, {"kind": "number"}) == tries


def test_pass_mark():
    assert pass_mark(CHOICE, SOLVED) == CHOICE_PASS_MARK and pass_mark({"kind": "vector", "n": 2}, SOLVED) == SOLVED
    assert MIN_OPTIONS == 4


def test_grade_choice_names_the_mistake_not_the_answer():
    fb = grade_choice(0, "b", ["right", "wrong"], {"m": 1}, {"m": "Why b is wrong."})
    assert (fb.score, fb.mistake, fb.message) == (0, "m", "Why b is wrong.")


# ---------------------------------------------------------------------------------------------
# through submission.submit, with a real SQLite gradebook


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'gb.sqlite3'}")
    yield s
    s.close()


def one(family: str, variant: str | None = None, tries: int = 3):
    line = f'variant = "{variant}"\n' if variant else ""
    text = f'id = "t"\ntitle = "t"\ntries = {tries}\nhints_after = 1\n[[exercise]]\nfamily = "{family}"\n{line}'
    return parse(text, "t.toml", BY_ID)


def test_submit_scores_1_then_half_then_quarter(store):
    a = one("concepts", "why_pooling")
    p = practice.exercise("alice", a, 0).params
    wrong = [o for o in p["options"] if o != concepts.solve(p)]
    for student, n_wrong, score in (("alice", 0, 1.0), ("bob", 1, 0.5), ("carol", 2, 0.25)):
        for i in range(n_wrong):
            out = submission.submit(store, student, a, 0, wrong[i])
            assert out.stored and out.feedback.score == 0 and not out.state.closed
        out = submission.submit(store, student, a, 0, concepts.solve(p))
        assert out.stored and out.feedback.correct and out.feedback.score == score  # shown as right
        assert out.state.solved and out.state.closed and out.state.score == score and out.state.earned_solution
        assert [a_.score for a_ in store.attempts(student, "t", 0)][-1] == score  # the stored row earns it
        (state,) = practice.states(store, student, a)
        assert state.solved and state.score == score
        assert practice.total([state]) == score
        again = submission.submit(store, student, a, 0, concepts.solve(p))  # the same answer: the same submission
        assert again.repeated and again.feedback.score == score
        late = submission.submit(store, student, a, 0, f"option {p['options'].index(concepts.solve(p)) + 1}")  # typed anew
        assert not late.stored and late.feedback.message == "This exercise is finished: you solved it."
        assert late.state.score == score and len(store.attempts(student, "t", 0)) == n_wrong + 1


def test_numbers_keep_full_marks_after_wrong_tries(store):
    a = one("embedding_dims", "lecture_pooled")
    submission.submit(store, "alice", a, 0, "15360")
    out = submission.submit(store, "alice", a, 0, "768")
    assert out.feedback.score == 1 and out.state.solved and out.state.score == 1


def test_the_lectures_which_token_has_one_try(store):
    """ICE #1 has 2 tokens: 'token 1', 'token 2' and the tie are 3 options, so 1 try (options − 2), whatever the
    assignment gives; before, 3 tries over 2 options gave every student full marks."""
    a = one("attention_weights", "lecture", tries=3)
    ex = practice.exercise("alice", a, 0)
    assert len(ex.form()["options"]) == 3 and ex.item.tries == 1
    (state,) = practice.states(store, "alice", a)
    assert state.max_tries == 1
    out = submission.submit(store, "alice", a, 0, "token 1")
    assert out.stored and out.feedback.score == 0 and out.state.closed and not out.state.solved
    late = submission.submit(store, "alice", a, 0, attention_weights.solve(ex.params))
    assert not late.stored and "finished" in late.feedback.message and late.state.score == 0


def test_every_student_of_a_generated_choice_item_needs_the_right_pick(store):
    """A generated choice item has at least 4 options and keeps its 3 tries; a student who picks every option
    in turn ends with at most 0.25, not full marks."""
    a = one("embedding_dims")
    for k in range(40):
        student = f"s{k}"
        ex = practice.exercise(student, a, 0)
        if ex.form()["kind"] != "choice":
            continue
        assert len(ex.form()["options"]) >= 4 and ex.item.tries == 3
        right = embedding_dims.solve(ex.params)
        order = [o for o in ex.form()["options"] if o != right][:2] + [right]
        for typed in order:
            out = submission.submit(store, student, a, 0, typed)
        assert out.state.solved and out.state.score == 0.25
        return
    pytest.fail("no student drew the choice ask")
