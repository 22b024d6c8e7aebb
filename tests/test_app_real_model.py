"""AppTest of page 3 on the bundled model, offline."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page as open_app
from tests.apptest import texts


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def open_page(**inputs) -> AppTest:
    at = open_app("app/real_model.py", timeout=180)
    for key, value in inputs.items():
        widget = at.text_area(key=key) if key == "rm_a" else at.text_input(key=key)
        widget.input(value).run()
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Page 3's tabs are lazy (on_change="rerun"): only the open one runs; a click sets rm_tab."""
    at.session_state["rm_tab"] = label
    at.run()
    assert not at.exception, texts(at.exception)
    return at


def test_default_sentence_all_views():
    at = open_page()
    assert not at.exception, texts(at.exception)
    assert "13 tokens" in texts(at.markdown) and "6 layers × 12 heads" in texts(at.markdown)
    tokens = at.dataframe[0].value
    assert tokens.loc["token"].tolist()[:3] == ["[CLS]", "the", "cat"]
    assert not at.success  # the trace runs only in its tab
    open_tab(at, "Trace one head")
    assert "the recomputation equals what the model reports" in texts(at.success)
    open_tab(at, "Head statistics")
    assert len(at.dataframe[1].value) == 72
    open_tab(at, "All heads of this layer")
    assert "Most focused heads of layer 1" in texts(at.markdown)


def test_only_the_open_tab_runs():
    """A new sentence draws the selected head and its sentence; the other tabs send nothing."""
    at = open_page()
    md = texts(at.markdown)
    assert "Layer 1, head 1." in md and "the strongest weight of this head" in md
    assert "Most focused heads" not in md and "Recompute layer" not in md and not at.get("iframe")
    assert len(at.dataframe) == 1  # the token table only
    assert "ColorBrewer Blues" in texts(at.caption)


def test_layer_and_head_and_trace_follow_the_selection():
    at = open_page()
    at.selectbox(key="rm_layer").set_value(6).run()
    at.selectbox(key="rm_head").set_value(12).run()
    assert not at.exception
    assert "Layer 6, head 12" in texts(at.markdown)
    open_tab(at, "Trace one head")
    assert "Recompute layer 6, head 12" in texts(at.markdown)
    assert "the recomputation equals" in texts(at.success)


def test_head_table_holds_the_models_weights():
    import numpy as np

    from core.models import DEFAULT_MODEL, load_encoder, run

    at = open_page()
    at.selectbox(key="rm_layer").set_value(2).run()
    at.selectbox(key="rm_head").set_value(5).run()
    at.toggle(key="rm_one_table").set_value(True).run()
    assert not at.exception
    table = at.dataframe[1].value
    enc = run(load_encoder(DEFAULT_MODEL), "The cat sat on the mat because it was tired.")
    np.testing.assert_array_equal(table.to_numpy(), enc.attentions[1, 4])
    assert table.index[:3].tolist() == ["0: [CLS]", "1: the", "2: cat"]


def test_layer_table_on_request():
    at = open_tab(open_page(), "All heads of this layer")
    at.toggle(key="rm_grid_table").set_value(True).run()
    rows = at.dataframe[1].value
    assert sorted(rows["head"]) == list(range(1, 13))
    assert rows["entropy_norm"].is_monotonic_increasing


def test_sentence_pair():
    at = open_page(rm_b="It was tired.")
    assert not at.exception
    tokens = at.dataframe[0].value.loc["token"].tolist()
    assert tokens.count("[SEP]") == 2 and tokens[-4:] == ["was", "tired", ".", "[SEP]"]


@pytest.mark.parametrize("text, message", [("", "empty"), ("    ", "only spaces")])
def test_empty_sentence(text, message):
    at = open_page(rm_a=text)
    assert not at.exception
    assert message in texts(at.error).lower()


def test_long_paste_is_truncated_with_a_notice():
    at = open_page(rm_a="word " * 2000)  # 10,000 characters
    assert not at.exception
    assert "only the first 1,999 are used" in texts(at.warning)


def test_too_many_tokens_are_cut_at_the_models_limit():
    at = open_page(rm_a="a " * 900)  # 1,800 characters, 900 words: over MiniLM's 512 tokens
    assert not at.exception
    assert "902 tokens long" in texts(at.warning) and "reads at most 512" in texts(at.warning)
    assert "512 tokens" in texts(at.markdown)


def test_script_probe_is_text():
    at = open_page(rm_a="<script>alert(1)</script> and </script> here")
    assert not at.exception
    tokens = at.dataframe[0].value.loc["token"].tolist()
    assert "script" in tokens and "<" in tokens


def test_emoji_and_other_scripts():
    at = open_page(rm_a="I love 🐱 and 猫 and кошка")
    assert not at.exception


def test_bertviz_views_on_request():
    at = open_tab(open_page(), "bertviz")
    assert not at.get("iframe")
    at.toggle(key="rm_bertviz").set_value(True).run()
    assert not at.exception
    assert len(at.get("iframe")) == 2


def test_unknown_model_says_why():
    at = open_page(rm_model="./models/no-such-folder")
    assert not at.exception
    assert "Model './models/no-such-folder': no such folder" in texts(at.error)


def test_trace_steps_on_request():
    at = open_tab(open_page(), "Trace one head")
    assert not any(s.value.startswith("1. Q = X·W_Q") for s in at.subheader)
    at.toggle(key="rm_trace_steps").set_value(True).run()
    assert not at.exception
    assert [s.value for s in at.subheader][:1] == ["1. Q = X·W_Q"]
    at.toggle(key="rm_trace_all").set_value(True).run()
    titles = [s.value for s in at.subheader]
    assert titles[0] == "1. Q = X·W_Q" and titles[-1] == "7. Output A·V"


def test_sentences_quote_typed_markup_as_text():
    at = open_page(rm_a="<script>alert(1)</script> **bold** $x$ :material/home:")
    sentence = [m.value for m in at.markdown if "attends most" in m.value]
    assert len(sentence) == 1 and "<script>" not in sentence[0] and "**" not in sentence[0]
    at = open_tab(at, "All heads of this layer")
    at.toggle(key="rm_grid_table").set_value(True).run()
    assert not at.exception


def test_presenter_mode_long_sentence():
    at = open_app("app/real_model.py", timeout=180, present="1")
    at.text_area(key="rm_a").input("the cat sat on the mat " * 6).run()
    assert not at.exception, texts(at.exception)
    assert "38 tokens" in texts(at.markdown) and "the strongest weight of this head" in texts(at.markdown)
