"""Every registered family passes the self-test of the contract (exercises.base.check_family): 200
seeds plus its FIXED variants. Each family's own tests (tests/test_family_<id>.py) check its numbers
against an independent reference and its mistakes one by one."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises import REGISTRY
from exercises.base import Feedback, check_family, format_answer, parse_matrix
from exercises.choices import MIN_OPTIONS, choice_tries
from exercises.formatting import KEEP_PRECISION


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
def test_family_passes_its_self_test(family):
    check_family(family, seeds=range(200))


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
def test_family_describes_itself_for_the_pages(family):
    assert hasattr(family, "answer_form") and (hasattr(family, "HINT") or hasattr(family, "hint"))
    assert hasattr(family, "worked_solution")
    explain = getattr(family, "EXPLAIN", None)
    assert explain is not None, "the dashboard explains each mistake from EXPLAIN"
    assert set(family.MISTAKES) <= set(explain), set(family.MISTAKES) - set(explain)


_params = {m.ID: m.generate(np.random.default_rng(7)) for m in REGISTRY}
_typed = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789-+.,;/ []()eE%x×\n\t", max_size=60),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6).map(lambda v: " ".join(map(str, v))),
)


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_typed)
def test_family_grade_never_raises_on_typed_text(family, text):
    fb = family.grade(_params[family.ID], text)
    assert isinstance(fb, Feedback) and fb.message
    assert fb.valid or fb.score == 0


def _variants(family, seeds=range(200)) -> list[dict]:
    return [family.generate(np.random.default_rng(s)) for s in seeds] + list(getattr(family, "FIXED", {}).values())


# one step, nothing to round in between: copy a token's vector (CLS), take a maximum, or average given numbers
ONE_STEP = {"pooling"}


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
def test_multi_step_prompts_say_keep_full_precision(family):
    """Answers are compared at 1% of the right one computed in full precision, so a student who rounds an
    intermediate value (p before −ln, 10000^(2i/d)) to 2 decimals can miss: every prompt whose answer is not
    whole numbers says to keep full precision until the last step (the README's rule)."""
    if family.ID in ONE_STEP:
        return
    for p in _variants(family):
        if family.answer_form(p)["kind"] not in ("number", "vector", "matrix"):
            continue
        answer = family.solve(p)
        values = parse_matrix(answer if isinstance(answer, str) else format_answer(answer))
        if not np.allclose(values, np.round(values)):
            assert KEEP_PRECISION in family.prompt(p), (family.ID, p)


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
def test_choice_items_cannot_be_guessed_through(family):
    """Every choice item has at least MIN_OPTIONS options, or practice allows it at most options − 2 tries
    (choices.choice_tries), whatever tries the assignment gives; generated variants always have 4 or more."""
    for i, p in enumerate(_variants(family)):
        form = family.answer_form(p)
        if form["kind"] != "choice":
            continue
        n = len(form["options"])
        if i < 200:
            assert n >= MIN_OPTIONS, (family.ID, p)
        for tries in (1, 3, 20):
            allowed = choice_tries(tries, form)
            assert 1 <= allowed <= tries and (n >= MIN_OPTIONS or allowed <= max(1, n - 2))


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
def test_the_final_answer_rounded_to_3_decimals_is_right(family):
    """The rounding the prompts invite: the final answer to 3 decimals ("at least 3 decimals") is accepted
    in every variant, for numbers, vectors and matrices alike."""
    for p in _variants(family):
        if family.answer_form(p)["kind"] not in ("number", "vector", "matrix"):
            continue
        answer = family.solve(p)
        values = parse_matrix(answer if isinstance(answer, str) else format_answer(answer))
        kind = family.answer_form(p)["kind"]
        typed = format_answer(values[0, 0] if kind == "number" else values.reshape(-1) if kind == "vector"
                              else values, decimals=3)
        assert family.grade(p, typed).correct, (family.ID, p, typed)


@pytest.mark.parametrize("family", REGISTRY, ids=[m.ID for m in REGISTRY])
def test_wrong_choice_feedback_never_quotes_the_right_option(family):
    """Every wrong option of every choice variant (200 seeds and FIXED): its feedback does not quote the right
    option (concepts' own test also checks the words that name it)."""
    for p in _variants(family):
        form = family.answer_form(p)
        if form["kind"] != "choice":
            continue
        right = family.solve(p)
        for option in form["options"]:
            if option != right:
                fb = family.grade(p, option)
                assert fb.valid and fb.score == 0 and right.casefold() not in fb.message.casefold(), (p, option)
