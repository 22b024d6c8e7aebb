"""Page 3 in a real browser, offline: heatmaps, the bertviz head and model views draw their SVG
from the app's own copies of require.js, d3 and jquery, and typed script runs nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.harness import full_screenshot, wait_settled

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.browser

PROBE = "The cat <script>alert(1)</script> sat </script> on the mat."


def test_views_and_bertviz_offline(page, app_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url + "/real-model")
    expect(page.locator(".main-svg").first).to_be_visible(timeout=90_000)
    sentence = page.get_by_label("Sentence A", exact=True)
    sentence.fill(PROBE)
    sentence.press("Control+Enter")
    expect(page.get_by_text("script", exact=True).first).to_be_visible(timeout=60_000)
    wait_settled(page)

    page.get_by_role("tab", name="bertviz").click()
    page.get_by_text("Draw bertviz's head view and model view").click()
    frames = page.locator("iframe")
    expect(frames).to_have_count(2, timeout=60_000)
    head, model = (page.frame_locator("iframe").nth(i) for i in range(2))
    expect(head.locator("svg text", has_text="script").first).to_be_attached(timeout=60_000)
    expect(model.locator("svg").first).to_be_attached(timeout=60_000)
    n_head = head.locator("svg *").count()
    n_model = model.locator("svg *").count()
    assert n_head > 200 and n_model > 1000, (n_head, n_model)
    wait_settled(page)
    full_screenshot(page, SHOTS / "real_model.png")
    assert dialogs == []
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_long_input_draws_one_bounded_heatmap_and_tabs_on_request(page, app_url):
    """At 100+ tokens the default view is one heatmap of bounded size with its sentence and colour
    scale; the other tabs draw only when opened (lazy tabs), and typed markup stays text."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url + "/real-model")
    expect(page.locator(".main-svg").first).to_be_visible(timeout=90_000)
    sentence = page.get_by_label("Sentence A", exact=True)
    sentence.fill(" ".join([PROBE] * 8))
    sentence.press("Control+Enter")
    expect(page.get_by_text("the strongest weight of this head")).to_be_visible(timeout=60_000)
    wait_settled(page)
    main = page.locator('[data-testid="stMain"]')
    charts = main.locator(".js-plotly-plot")
    expect(charts).to_have_count(1)
    box = charts.first.locator(".main-svg").first.bounding_box()
    assert box["width"] < 1400 and box["height"] < 1400, box
    expect(main.get_by_text("ColorBrewer Blues")).to_be_visible()
    assert page.locator("iframe").count() == 0

    page.get_by_role("tab", name="All heads of this layer").click()
    expect(main.get_by_text("Most focused heads of layer 1")).to_be_visible(timeout=60_000)
    wait_settled(page)
    expect(main.locator(".js-plotly-plot")).to_have_count(1)  # the grid; the single head is not drawn now
    assert dialogs == []
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
