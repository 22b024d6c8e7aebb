"""Each page loads in a real Chromium with no exception, renders its charts and formulas, and is
screenshotted into docs/screenshots/ (the README shows these)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import SCREENSHOTS, full_screenshot, wait_settled

pytestmark = pytest.mark.browser

# (screenshot name, URL path, text of the page's h1, the last step's heading once all steps show)
PAGES = [
    ("home", "/", "Attention Lab", None),
    ("self_attention", "/self-attention", "Self-attention, step by step", "7. Output A·V"),
    ("multi_head", "/multi-head", "Multi-head attention", "9. Add & norm: the block's output"),
]

CHARTS_JS = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')];
  return {charts: charts.length, drawn: charts.filter(c => c.querySelector('svg.main-svg')).length,
          formulas: document.querySelectorAll('[data-testid="stMain"] .katex').length};
}"""


@pytest.mark.parametrize("name,path,heading,last_step", PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_without_exception(page, app_url, name, path, heading, last_step):
    page.goto(app_url + path)
    expect(page.locator("h1").first).to_contain_text(heading)
    wait_settled(page)
    if last_step:  # walk-throughs start at step 1: show the whole chain, for the checks and the screenshot
        page.get_by_text("Show all steps").first.click()
        expect(page.get_by_role("heading", name=last_step)).to_be_visible(timeout=60_000)
        wait_settled(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator(".st-key-sidebar_nav")).to_contain_text("Self-attention")  # app/navigation.py
    drawn = page.evaluate(CHARTS_JS)
    assert drawn["drawn"] == drawn["charts"], f"{drawn['charts'] - drawn['drawn']} Plotly chart(s) drew no SVG"
    if name == "self_attention":
        assert drawn["charts"] > 0 and drawn["formulas"] > 0, drawn
    full_screenshot(page, SCREENSHOTS / f"{name}.png")


def test_home_links_to_page_1(page, app_url):
    page.goto(app_url + "/")
    wait_settled(page)
    page.locator('[data-testid="stMain"]').get_by_role("link", name="Self-attention, step by step").click()
    expect(page.locator("h1").first).to_contain_text("Self-attention, step by step")
    expect(page).to_have_url(app_url + "/self-attention")
