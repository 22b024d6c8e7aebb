"""benchmarks/page1_stripped.py: each stripped copy of page 1 runs and shows roundtrip.py's answer for the X
typed in its "X" box (page1_variants.py times it by that sentence), after an edit too. The copies whose
matrices are one components.v2 element (page1_onepiece.py) are driven through the session state, the only
way AppTest can set a component's value; what the component's JavaScript does is not run here."""

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from page1_stripped import PAGES  # noqa: E402
from roundtrip import X_TEXTS, answer_for  # noqa: E402


def _answers(at) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return " ".join(str(s.value) for s in at.success)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_stripped_page_shows_the_answer_for_the_typed_x(name):
    at = AppTest.from_string(PAGES[name], default_timeout=60).run()
    assert answer_for(X_TEXTS[0]) in _answers(at)
    labels = [t.label for t in at.text_area]
    component = "X" not in labels
    box = None if component else at.text_area[labels.index("X")]  # a keyed rerun's tree holds the fragment only
    if component:  # one element holding the four matrices
        sent = at.get("bidi_component")[0].value["matrices"]
        assert sorted(sent) == ["W_K", "W_Q", "W_V", "X"] and sent["X"] == X_TEXTS[0]
    for x in X_TEXTS[::-1]:
        if component:
            at.session_state["mx"] = {"matrices": {**sent, "X": x}}
            at.run()
        else:
            box.input(x).run()
        assert answer_for(x) in _answers(at)


def test_one_element_steps_show_each_formula_as_mathml_and_its_heat_table():
    at = AppTest.from_string(PAGES["component+onestep"], default_timeout=60).run()
    at.toggle(key="sa_all").set_value(True).run()
    steps = [m.value for m in at.markdown if m.value.startswith("<section")]  # st.html would drop <math>
    assert len(steps) == 7 and all('<math xmlns="http://www.w3.org/1998/Math/MathML"' in s for s in steps)
    assert "<h3>4. Scores Q·Kᵀ</h3>" in steps[3] and "<table" in steps[3] and "<msup><mi>K</mi>" in steps[3]
    assert not at.get("html") and not [m for m in at.markdown if "$$" in m.value]  # one element a step, no KaTeX
    bound = AppTest.from_string(PAGES["componentonly"], default_timeout=60).run()
    assert [m.value[:30] for m in bound.markdown if m.value.startswith("<section")] == [steps[0][:30]]  # step 1


def test_the_step_view_component_gets_the_same_one_element_step():
    at = AppTest.from_string(PAGES["componentonly+view"], default_timeout=60).run()
    views = [c for c in at.get("bidi_component") if c.proto.component_name == "step_view"]
    step = json.loads(views[0].proto.json)
    assert len(views) == 1 and '<math xmlns="http://www.w3.org/1998/Math/MathML"' in step
    assert "<h3>1. Q = X·W_Q</h3>" in step and not [m for m in at.markdown if m.value.startswith("<section")]
