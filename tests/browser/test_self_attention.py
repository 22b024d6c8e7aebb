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
