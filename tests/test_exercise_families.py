"""Every registered family passes the self-test of the contract (exercises.base.check_family): 200
seeds plus its FIXED variants. Each family's own tests (tests/test_family_<id>.py) check its numbers
against an independent reference and its mistakes one by one."""

import pytest

from exercises import REGISTRY
from exercises.base import check_family


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
