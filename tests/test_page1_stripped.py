"""benchmarks/page1_stripped.py: each stripped copy of page 1 runs and shows roundtrip.py's answer for the X
typed in its "X" box (page1_variants.py times it by that sentence), after an edit too."""

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from page1_stripped import PAGES  # noqa: E402
from roundtrip import X_TEXTS, answer_for  # noqa: E402


@pytest.mark.parametrize("name", sorted(PAGES))
def test_stripped_page_shows_the_answer_for_the_typed_x(name):
    at = AppTest.from_string(PAGES[name], default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.text_area[[t.label for t in at.text_area].index("X")]  # a keyed rerun's tree holds the fragment only
    for x in X_TEXTS[::-1]:
        box.input(x).run()
        assert not at.exception, [e.value for e in at.exception]
        assert answer_for(x) in " ".join(str(s.value) for s in at.success)
