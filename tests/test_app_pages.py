"""AppTest: drive the real app script (navigation included) and check what the pages show."""


import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import heavy_imports, open_page
from tests.apptest import texts as shown


def answer(at: AppTest) -> str:
    return " ".join(s.value for s in at.success)


def show_all(at: AppTest, key: str = "sa") -> AppTest:
    """Walk-throughs start at step 1; switch on "Show all steps"."""
    at.toggle(key=f"{key}_all").set_value(True).run()
    assert not at.exception
    return at


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def table(at: AppTest, caption: str):
    """The numbers table under the panel with this caption (tables come in page order)."""
    captions = [e.label.removeprefix("Numbers: ") for e in at.expander if e.label.startswith("Numbers: ")]
    return at.table[captions.index(caption)].value


# --- home ---------------------------------------------------------------------------------------


def test_home():
    at = open_page()
    assert [t.value for t in at.title] == ["Attention Lab"]
    assert len(at.main.get("page_link")) == 7
    assert len(at.sidebar.get("page_link")) == 9  # the menu (app/navigation.py): every page


def test_matrix_pages_never_import_torch():
    """Home, page 1 and page 2 in a fresh interpreter: neither torch nor transformers gets imported."""
    assert heavy_imports(["app/self_attention.py", "app/multi_head.py"]) == []


# --- page 1 --------------------------------------------------------------------------------------


def test_page1_starts_at_step_1():
    at = open_page("app/self_attention.py")
    assert subheaders(at) == ["1. Q = X·W_Q"]
    assert "token 2 attends most to token 2" in answer(at), "the ICE #1 answer shows from the start"


def test_page1_answers_ice1():
    at = show_all(open_page("app/self_attention.py"))
    assert [t.label for t in at.text_area] == ["X", "W_Q", "W_K", "W_V"]
    assert "token 2 attends most to token 2, with probability 1.0000" in answer(at)
    assert subheaders(at) == ["1. Q = X·W_Q", "2. K = X·W_K", "3. V = X·W_V", "4. Scores Q·Kᵀ",
                              "5. Scaled by √d_k", "6. Softmax over each row", "7. Output A·V"]
    scores = table(at, "QKᵀ")
    assert scores.values.tolist() == [["-22", "-6"], ["-20", "588"]]
    weights = table(at, "attention weights")
    assert weights.iloc[0, 1] == "0.9999"  # token 1 -> token 2, scaled: 0.999902699


def test_page1_edit_matrix_changes_values():
    at = open_page("app/self_attention.py")
    before = table(at, "Q").values.tolist()
    # token 2 = (0, 0, 1, 0): its query (1, 0, 0) meets key 1 (15, 5, 16) at 15 and key 2 (3, 0, 3) at 3
    at.text_area(key=at.text_area[0].key).input("1 2 3 -1\n0 0 1 0").run()
    assert not at.exception
    after = table(at, "Q").values.tolist()
    assert after != before
    assert after[1] == ["1", "0", "0"]
    assert "token 2 attends most to token 1" in answer(at)


def test_page1_scaling_switch():
    at = show_all(open_page("app/self_attention.py"))
    assert table(at, "attention weights").iloc[0, 1] == "0.9999"
    at.toggle(key="sa_scale").set_value(False).run()
    assert "5. Not scaled" in subheaders(at)
    assert table(at, "attention weights").iloc[0, 1] == "1"  # 0.999999887 unscaled
    assert table(at, "attention weights").iloc[0, 0] == "1.1e-07"


def test_page1_causal_mask_adds_a_step():
    at = show_all(open_page("app/self_attention.py"))
    at.toggle(key="sa_causal").set_value(True).run()
    assert "6. Causal mask" in subheaders(at)
    masked = table(at, "masked scores")
    assert masked.iloc[0, 1] == "-inf"
    assert table(at, "attention weights").iloc[0].tolist() == ["1", "0"]


def test_page1_step_by_step():
    at = show_all(open_page("app/self_attention.py"))
    at.toggle(key="sa_all").set_value(False).run()
    assert subheaders(at) == ["1. Q = X·W_Q"]
    at.button(key="sa_next").click().run()
    at.button(key="sa_next").click().run()
    assert subheaders(at)[-1] == "3. V = X·W_V"
    at.button(key="sa_prev").click().run()
    assert len(subheaders(at)) == 2


@pytest.mark.parametrize("text, message", [
    ("1 2 x -1\n3 -4 -7 5", "Row 1, column 3 of X is 'x', which is not a number"),
    ("1 2 3 -1\n3 -4 -7", "Row 2 of X has 3 numbers but row 1 has 4"),
    ("", "X is empty"),
    ("1 nan 3 -1", "only finite numbers"),
    ("1 2 3; 4 5 6", "W_Q has 4 rows but each token of X has 3 numbers"),
    ("; ".join(["1 2 3 4"] * 17), "at most 16"),
])
def test_page1_bad_matrix_shows_error(text, message):
    at = open_page("app/self_attention.py")
    at.text_area(key=at.text_area[0].key).input(text).run()
    assert not at.exception
    errors = shown(at.error)
    assert message in errors
    assert not at.subheader  # no steps from a bad input
    # what was typed in the other matrices is still there
    assert at.text_area[1].value.startswith("-1 2 0")


def test_page1_random_example_with_seed():
    at = open_page("app/self_attention.py")
    at.number_input(key="sa_seed").set_value(42).run()
    at.button[[b.label for b in at.button].index("Load seed")].click().run()
    first = [t.value for t in at.text_area]
    assert at.query_params["seed"] in ("42", ["42"])
    assert first[0] != "1 2 3 -1\n3 -4 -7 5" and len(first[0].splitlines()) == 3
    # the same seed in a new session (a student opening the shared link) gives the same matrices
    again = open_page("app/self_attention.py", seed="42")
    assert [t.value for t in again.text_area] == first


def test_page1_grid_mode_renders():
    at = open_page("app/self_attention.py")
    at.get("button_group")[0].set_value("Grid").run()
    assert not at.exception
    assert not at.text_area
    assert "token 2 attends most to token 2" in answer(at)


def test_page1_presenter_mode_hides_numbers_until_revealed():
    at = open_page("app/self_attention.py", present="1")
    assert at.toggle(key="present").value is True
    assert not at.success, "the answer is hidden until revealed"
    assert subheaders(at) == ["1. Q = X·W_Q"], "presenter mode goes step by step"
    assert not at.table, "numbers hidden until revealed"
    at.button[[b.label for b in at.button].index("Reveal the numbers")].click().run()
    assert table(at, "Q").values.tolist()[0] == ["9", "7", "-12"]
    at.button[[b.label for b in at.button].index("Reveal the answer")].click().run()
    assert "token 2 attends most to token 2" in answer(at)
    assert at.number_input(key="sa_seed").disabled, "the seed stays fixed while presenting"


def test_token_names_are_labels_and_escaped():
    at = show_all(open_page("app/self_attention.py"))
    at.text_input(key="sa_names").input("<script>alert(1)</script> cat").run()
    assert not at.exception
    weights = table(at, "attention weights")
    assert weights.index.tolist()[1] == "cat"


# --- page 2 --------------------------------------------------------------------------------------


def test_page2_default_walkthrough():
    at = show_all(open_page("app/multi_head.py"), "mh")
    assert subheaders(at)[:9] == [
        "1. Positional encoding", "2. Project to Q, K, V", "3. Split into 2 heads", "4. Attention in every head",
        "5. Concatenate the heads", "6. Mix with W_O", "7. Add & norm", "8. Feed-forward network",
        "9. Add & norm: the block's output"]
    assert "Shapes:" in at.info[0].value and "2 heads × (4×4)" in at.info[0].value


def test_page2_heads_change_the_split():
    at = show_all(open_page("app/multi_head.py"), "mh")
    at.number_input(key="mh_h").set_value(4).run()
    assert "3. Split into 4 heads" in subheaders(at)
    assert sum(1 for e in at.expander if e.label.startswith("Numbers: head ")) == 4
    assert table(at, "Q of head 1").shape == (4, 2)


def test_page2_indivisible_heads_explained():
    at = open_page("app/multi_head.py")
    at.number_input(key="mh_d").set_value(6).run()
    at.number_input(key="mh_h").set_value(4).run()
    assert not at.exception
    err = shown(at.error)
    assert "d_model = 6 is not divisible by 4 heads" in err and "1, 2, 3, 6" in err
    assert not at.subheader


def test_page2_no_positional_encoding_drops_the_step():
    at = open_page("app/multi_head.py")
    at.toggle(key="mh_pe").set_value(False).run()
    assert subheaders(at)[0] == "1. Project to Q, K, V"


def test_page2_typed_matrices_and_bad_input():
    at = open_page("app/multi_head.py")
    at.get("button_group")[0].set_value("Typed").run()
    assert [t.label for t in at.text_area] == ["embeddings", "W_Q", "W_K", "W_V", "W_O"]
    at.text_area[1].input("1 0; 0 1").run()
    assert not at.exception
    assert "W_Q is (2×2) but multi-head attention on tokens of 8 numbers needs W_Q to be (8×8)" in \
        shown(at.error)


def test_typed_markdown_in_an_error_is_shown_as_typed():
    at = open_page("app/self_attention.py")
    at.text_area(key=at.text_area[0].key).input("1 *x* 3 -1\n3 -4 -7 5").run()
    assert not at.exception
    assert "'*x*', which is not a number" in shown(at.error)
    assert "\\*x\\*" in at.error[0].value  # escaped, so markdown does not turn it into italics
