"""Every registered family passes the self-test of the contract (exercises.base.check_family): 200
seeds plus its FIXED variants. Each family's own tests (tests/test_family_<id>.py) check its numbers
against an independent reference and its mistakes one by one."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises import REGISTRY
from exercises.base import Feedback, check_family


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
