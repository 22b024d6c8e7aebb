"""core/heat_table.py: small matrices as HTML tables. The numbers read back are the step's numbers as the
page formats them, typed labels are escaped, every colour keeps its text readable (WCAG AA), and one
sentence says what matters."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.attention import self_attention
from core.examples import ice1, random_encoder_params, random_tokens
from core.heat_table import (
    BLACK,
    BLUE_WHITE_RED,
    BLUES,
    MASKED,
    WHITE,
    cell_text,
    colour_at,
    contrast,
    fits,
    heat_table,
    palette,
    summary,
    text_colour,
)
from core.matrix_text import format_number
from core.overflow import checked_encoder
from core.steps import attention_steps, encoder_steps
from tests.heat_tables import read_tables
from tests.hostile import CORPUS

LABELS = ("token 1", "token 2")


def ice1_steps(**kw):
    m = ice1()
    return attention_steps(self_attention(m["X"], m["W_Q"], m["W_K"], m["W_V"], **kw), LABELS, x=m["X"])


def encoder_panels():
    params = random_encoder_params(0, 8, 2)
    _, pe, block = checked_encoder(random_tokens(0, 4, 8), params, 2, positional=True, activation="gelu", scale=True)
    steps = encoder_steps(block, ("a", "b", "c", "d"), embeddings=random_tokens(0, 4, 8), pe=pe)
    return [p for s in steps for p in s.panels]


def only_table(html: str) -> dict:
    tables = read_tables(html)
    assert len(tables) == 1
    return tables[0]


# --- the numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("panel", [p for s in ice1_steps(causal=True) for p in s.panels] + encoder_panels(),
                         ids=lambda p: p.caption)
def test_numbers_are_the_steps_matrix_as_formatted(panel):
    t = only_table(heat_table(panel.matrix, panel.row_labels, panel.col_labels, panel.caption))
    assert t["caption"] == panel.caption
    assert t["cols"] == list(panel.col_labels) and t["rows"] == list(panel.row_labels)
    want = [["−∞" if v == -np.inf else format_number(v, 4) for v in row] for row in panel.matrix]
    assert t["cells"] == want
    # and they read back (as a spreadsheet would) to the matrix, to the 4 decimals shown
    back = np.array([[-np.inf if c == "−∞" else float(c) for c in row] for row in t["cells"]])
    finite = np.isfinite(panel.matrix)
    assert np.array_equal(finite, np.isfinite(back))
    assert np.allclose(back[finite], panel.matrix[finite], rtol=1e-3, atol=5e-5)


def test_ice1_scores_and_headers():
    scores = next(s for s in ice1_steps() if s.key == "scores").panels[0]
    t = only_table(heat_table(scores.matrix, scores.row_labels, scores.col_labels, scores.caption))
    assert t["cells"] == [["-22", "-6"], ["-20", "588"]]
    assert t["scopes"] == ["col", "col", "row", "row"]  # column headers, then one row header per row


def test_masked_cells_show_minus_infinity_on_grey():
    m = np.array([[1.0, -np.inf], [2.0, -3.0]])
    t = only_table(heat_table(m, "ab", "ab", "masked"))
    assert t["cells"][0][1] == "−∞"
    assert f"background:{MASKED}" in t["styles"][0][1]
    assert "1 masked entry is −∞" in t["figcaption"]


def test_fits_up_to_16_rows_of_64():
    assert fits(np.zeros((16, 16))) and fits(np.zeros((1, 1))) and fits(np.zeros((10, 64)))  # page 2's FFN at d 16
    assert not fits(np.zeros((17, 2))) and not fits(np.zeros((2, 65))) and not fits(np.zeros((128, 128)))
    assert not fits(np.zeros(3))


# --- escaping --------------------------------------------------------------------------------------


TYPABLE = [t for t in CORPUS if "\ud800" not in t]  # a browser sends UTF-8: a lone surrogate never arrives


@pytest.mark.parametrize("typed", TYPABLE, ids=range(len(TYPABLE)))
def test_typed_labels_and_captions_are_escaped(typed):
    html = heat_table(np.array([[0.25, 0.75], [1.0, 0.0]]), [typed, "b"], ["c", typed], typed)
    for raw in ("<script", "<img", "<b>", "<!--", "</textarea", "]]></x>"):
        if raw in typed:
            assert raw not in html
    assert html.count("<table") == 1 and html.count("</table>") == 1  # nothing typed opens or closes markup
    t = only_table(html)
    assert t["caption"] == typed and t["rows"][0] == typed and t["cols"][1] == typed  # shown as typed
    assert typed in t["figcaption"] or not typed.strip()


def test_escapes_quotes_in_attributes():
    html = heat_table(np.eye(2), ["x", "y"], ["x", "y"], 'a" onmouseover="alert(1)')
    assert 'onmouseover="' not in html and "&quot;" in html


# --- colours ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "ratio"), [
    (BLACK, WHITE, 21.0),
    ("#777777", WHITE, 4.48),  # the classic just-failing grey
    ("#828180", WHITE, 3.88),  # Streamlit's caption grey, as axe-core measures it (issue 10)
    ("#c53948", "#f9ebed", 4.47),  # the selected segmented control, as axe-core measures it
])
def test_contrast_ratio_matches_wcag_references(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert contrast(b, a) == contrast(a, b)


@pytest.mark.parametrize("scale", [BLUES, BLUE_WHITE_RED], ids=["sequential", "diverging"])
def test_every_colour_keeps_aa_contrast(scale):
    colours = palette(scale) + [MASKED]
    assert len(set(colours)) > 50
    worst = min(contrast(text_colour(c), c) for c in colours)
    assert worst >= 4.5, worst


def test_every_cell_of_a_table_keeps_aa_contrast():
    rng = np.random.default_rng(0)
    for m in (rng.random((16, 16)), rng.normal(size=(16, 16)) * 100, np.array([[0.0, -np.inf]])):
        t = only_table(heat_table(m, range(m.shape[0]), range(m.shape[1]), "m"))
        for style in (s for row in t["styles"] for s in row):
            bg, fg = re.search(r"background:(#\w{6})", style)[1], re.search(r"[^-]color:(#\w{6})", style)[1]
            assert contrast(fg, bg) >= 4.5, style


def test_scales_run_the_right_way():
    assert colour_at(BLUES, 0) == BLUES[0][1] and colour_at(BLUES, 1) == BLUES[-1][1]  # 0 white, 1 dark blue
    assert colour_at(BLUE_WHITE_RED, 0) == "#2166ac" and colour_at(BLUE_WHITE_RED, 0.5) == "#f7f7f7"
    assert colour_at(BLUE_WHITE_RED, 1) == "#b2182b"
    t = only_table(heat_table(np.array([[-2.0, 0.0, 2.0]]), ["r"], "xyz", "signed"))
    assert [re.search(r"background:(#\w{6})", s)[1] for s in t["styles"][0]] == ["#2166ac", "#f7f7f7", "#b2182b"]
    assert "diverging" in t["figcaption"] and "±2" in t["figcaption"]
    w = only_table(heat_table(np.array([[1.0, 0.0], [0.5, 0.5]]), "ab", "ab", "weights"))
    assert "sequential" in w["figcaption"]
    assert re.search(r"background:(#\w{6})", w["styles"][0][0])[1] == "#08306b"


def test_presenter_mode_uses_projector_size_type():
    assert "font-size:1.5rem" in heat_table(np.eye(2), "ab", "ab", "m", large=True)
    assert "font-size:1.5rem" not in heat_table(np.eye(2), "ab", "ab", "m")


# --- the sentence -----------------------------------------------------------------------------------


def test_sentence_for_ice1_weights():
    weights = next(s for s in ice1_steps() if s.key == "weights").panels[0]
    assert summary(weights.matrix, LABELS, LABELS) == (
        "token 1 attends most to token 2, 0.9999; token 2 attends most to token 2, 1.0000.")
    t = only_table(heat_table(weights.matrix, LABELS, LABELS, "attention weights"))
    assert t["figcaption"].startswith("token 1 attends most to token 2, 0.9999;")


def test_sentence_for_signed_matrices():
    scores = next(s for s in ice1_steps() if s.key == "scores").panels[0]
    assert summary(scores.matrix, LABELS, LABELS) == (
        "Largest entry 588 at row token 2, column token 2; smallest -22 at row token 1, column token 1.")
    assert summary(np.array([[3.0]]), ["a"], ["b"]) == "The only entry is 3."
    assert summary(np.array([[-np.inf, -np.inf]]), ["a"], "bc") == (
        "No entry is a finite number. 2 masked entries are −∞.")


def test_sentence_for_a_similarity_matrix():
    u = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])  # unit rows: cosines are dot products
    cos = u @ u.T  # [[1, .8, 0], [.8, 1, .6], [0, .6, 1]]
    assert summary(cos, "abc", "abc") == "Most similar: a and b, 0.8; least similar: a and c, 0."


def test_cell_text():
    assert [cell_text(v) for v in (-np.inf, np.inf, np.nan, 0.99990269, 3.5e-153, -22.0)] == [
        "−∞", "∞", "NaN", "0.9999", "3.5e-153", "-22"]
