"""Page 1 in a real browser: editing X reruns the app and the ICE #1 answer sentence follows, and
presenter mode (?present=1) shows larger type with the answer hidden until revealed."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from core.attention import self_attention
from core.examples import ice1
from core.steps import most_attended
from tests.browser.harness import wait_settled

pytestmark = pytest.mark.browser

ICE1_ANSWER = "token 2 attends most to token 2, with probability 1.0000"
NEW_X = "1 2 3 -1\n0 0 1 0"  # token 2 becomes (0, 0, 1, 0)


def answer(page):
    return page.locator('[data-testid="stMain"] [data-testid="stAlert"]', has_text="attends most to")


def test_editing_x_updates_the_answer(page, app_url):
    page.goto(app_url + "/self-attention")
    x = page.get_by_label("X", exact=True)
    expect(x).to_have_value("1 2 3 -1\n3 -4 -7 5")
    expect(answer(page)).to_contain_text(ICE1_ANSWER)
    wait_settled(page)

    m = ice1()
    new_x = np.array([[float(v) for v in row.split()] for row in NEW_X.splitlines()])
    expected = most_attended(self_attention(new_x, m["W_Q"], m["W_K"], m["W_V"]).weights, ["token 1", "token 2"])[1]
    assert expected != ICE1_ANSWER and "token 1" in expected.split("attends most to")[1]

    x.fill(NEW_X)
    x.press("Control+Enter")  # a Streamlit text area commits on Ctrl+Enter (or on blur)
    expect(answer(page)).to_contain_text(expected)
    wait_settled(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def body_font_px(page) -> float:
    """Computed font size of a paragraph of body text (st.markdown): the ICE #1 question."""
    p = page.locator('[data-testid="stMain"] [data-testid="stMarkdown"] p', has_text="ICE #1 asks")
    return p.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_presenter_mode_uses_larger_type_and_hides_the_answer(page, app_url):
    page.goto(app_url + "/self-attention")
    expect(answer(page)).to_be_visible()
    wait_settled(page)
    normal = body_font_px(page)

    page.goto(app_url + "/self-attention?present=1")
    expect(page.get_by_role("button", name="Reveal the answer")).to_be_visible()
    wait_settled(page)
    presenting = body_font_px(page)
    assert presenting >= 1.25 * normal, (normal, presenting)
    expect(answer(page)).to_have_count(0)
    expect(page.locator('[data-testid="stSidebar"]').get_by_role("switch", name="Presenter mode")).to_be_checked()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    page.get_by_role("button", name="Reveal the answer").click()
    expect(answer(page)).to_contain_text(ICE1_ANSWER)


TABLES_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stHtml"] figure')].map(f => {
  const t = f.querySelector('table');
  return {caption: t.caption.textContent, figcaption: f.querySelector('figcaption').textContent,
          cols: [...t.querySelectorAll('th[scope=col]')].map(h => h.textContent),
          rows: [...t.querySelectorAll('th[scope=row]')].map(h => h.textContent),
          cells: [...t.tBodies[0].rows].map(r => [...r.querySelectorAll('td')].map(d => d.textContent)),
          colours: [...t.tBodies[0].querySelectorAll('td')].map(d => [getComputedStyle(d).color, getComputedStyle(d).backgroundColor]),
          font_px: parseFloat(getComputedStyle(t.querySelector('td')).fontSize)};
})"""


def _contrast(fg: str, bg: str) -> float:
    from core.heat_table import contrast

    hex_of = lambda rgb: "#" + "".join(f"{int(v):02x}" for v in rgb[rgb.index("(") + 1:-1].split(",")[:3])  # noqa: E731
    return contrast(hex_of(fg), hex_of(bg))


def test_heat_tables_show_the_numbers_on_readable_colours(page, app_url):
    """Every matrix of page 1 is an HTML table (no plotting library): the step's numbers with row and column
    headers, a sentence of what matters, and text colours that keep WCAG AA contrast as the browser draws them."""
    page.goto(app_url + "/self-attention")
    wait_settled(page)
    page.get_by_text("Show all steps").first.click()
    expect(page.get_by_role("heading", name="7. Output A·V")).to_be_visible()
    wait_settled(page)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)
    tables = {t["caption"]: t for t in page.evaluate(TABLES_JS)}
    assert list(tables) == ["Q", "K", "V", "QKᵀ", "QKᵀ/√d_k", "attention weights", "output"]
    scores = tables["QKᵀ"]
    assert scores["cells"] == [["-22", "-6"], ["-20", "588"]]
    assert scores["cols"] == scores["rows"] == ["token 1", "token 2"]
    assert tables["attention weights"]["figcaption"].startswith(
        "token 1 attends most to token 2, 0.9999; token 2 attends most to token 2, 1.0000.")
    assert "sequential" in tables["attention weights"]["figcaption"] and "diverging" in scores["figcaption"]
    worst = min(_contrast(fg, bg) for t in tables.values() for fg, bg in t["colours"])
    assert worst >= 4.5, worst

    page.goto(app_url + "/self-attention?present=1")  # presenter mode: projector-size numbers too
    page.get_by_role("button", name="Reveal the numbers").click()
    expect(page.locator('[data-testid="stHtml"] caption', has_text="Q")).to_be_visible()
    presenting = {t["caption"]: t for t in page.evaluate(TABLES_JS)}["Q"]
    assert presenting["cells"] == tables["Q"]["cells"]
    assert presenting["font_px"] >= 1.5 * tables["Q"]["font_px"], (tables["Q"]["font_px"], presenting["font_px"])
