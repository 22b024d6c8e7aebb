"""Pages 4 (masked language model) and 5 (sentence embeddings) in a real Chromium, every non-local request
aborted: their charts and heat tables draw, typed markup shows as text and runs nothing (no dialog opens), and each
page is screenshotted into docs/screenshots/.

Page 5 runs on the bundled model. Page 4's default, bert-base-uncased, is not available offline: the
page says how to get it and still shows the masking procedure; its predictions are drawn here from a
tiny masked-LM saved into a folder (random weights: only the drawing is tested)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import SCREENSHOTS, full_screenshot, wait_settled
from tests.tiny_models import save_tiny_bert

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
LOAD = 180_000  # ms: the first run of a model page loads torch and the model in the server

CHARTS_JS = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')];
  return charts.map(c => ({svg: !!c.querySelector('svg.main-svg'),
                           title: (c.querySelector('.gtitle') || {}).textContent || '',
                           heatmap: c.querySelectorAll('.hm').length,
                           bars: c.querySelectorAll('.bars .point').length,
                           ticks: [...c.querySelectorAll('.ytick text')].map(t => t.textContent)}));
}"""


TABLES_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stHtml"] figure table')]
  .map(t => ({caption: t.caption.textContent, rows: [...t.querySelectorAll('th[scope=row]')].map(h => h.textContent),
              cells: t.querySelectorAll('td[style*="background"]').length}))"""


@pytest.fixture
def dialogs(page):
    """Every alert/confirm/prompt the page opens (typed markup must open none)."""
    opened: list[str] = []
    page.on("dialog", lambda d: (opened.append(d.message), d.dismiss()))
    return opened


def charts(page) -> list[dict]:
    return page.evaluate(CHARTS_JS)


def chart(page, title: str) -> dict:
    return next(c for c in charts(page) if c["title"] == title)


def no_exception(page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def commit(field, text: str) -> None:
    field.fill(text)
    field.press("Enter")


def test_embeddings_page(page, app_url, dialogs):
    page.goto(app_url + "/embeddings")
    expect(page.locator("h1").first).to_contain_text("Sentence embeddings (sBERT)")
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator('[data-testid="stHtml"] caption', has_text="cosine similarity, Mean pooling")) \
        .to_be_visible(timeout=LOAD)
    wait_settled(page, timeout=60)
    no_exception(page)
    drawn = charts(page)  # the 18 tokens' hidden states: a chart; the small matrices: heat tables
    assert [c["title"] for c in drawn] == ["last hidden state: first 10 of 384 dimensions"]
    assert all(c["svg"] and c["heatmap"] == 1 for c in drawn), drawn
    assert drawn[0]["ticks"][0] == "[CLS]"
    assert page.evaluate(TABLES_JS) == [
        {"caption": "pooled: first 10 of 384 dimensions", "rows": ["CLS", "mean", "max"], "cells": 30},
        {"caption": "cosine similarity, Mean pooling", "rows": ["1", "2", "3", "4", "5"], "cells": 25}]
    expect(main.locator('[data-testid="stMetricValue"]').first).to_have_text("18 × 384")
    expect(main.locator('[data-testid="stAlert"]', has_text="not the 20 the slide assumes")).to_be_visible()
    full_screenshot(page, SCREENSHOTS / "embeddings.png")

    typed = f"{SCRIPT} I am looking </script> forward *to* today"
    commit(page.get_by_label("Sentence", exact=True), typed)
    expect(main.locator('[data-testid="stText"]')).to_have_text(typed)  # the literal characters, as text
    wait_settled(page, timeout=60)
    no_exception(page)
    ticks = chart(page, "last hidden state: first 10 of 384 dimensions")["ticks"]
    assert ticks[:4] == ["[CLS]", "<", "script", ">"]  # token labels drawn as text, not markup
    assert page.evaluate("() => [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length") == 0
    assert dialogs == []


def test_masked_lm_page_without_a_model(page, app_url, dialogs):
    page.goto(app_url + "/masked-lm")
    expect(page.locator("h1").first).to_contain_text("Masked language model")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="BERT's 80/10/10 masking procedure")).to_be_visible(timeout=LOAD)
    expect(main.locator('[data-testid="stAlert"]', has_text="bert-base-uncased")).to_contain_text(
        "python -m core.models download bert-base-uncased ./models/bert-base-uncased --mlm")
    expect(main.locator('[data-testid="stCode"]')).to_contain_text(
        "original:    [CLS] i am having a bad day . so i need to take a break . [SEP]")
    wait_settled(page, timeout=60)
    no_exception(page)
    assert charts(page) == [], "no predictions without a trained masked-LM head"
    full_screenshot(page, SCREENSHOTS / "masked_lm.png")

    commit(page.get_by_label("Sentence to corrupt", exact=True), f"{SCRIPT} the cat sat on the mat")
    expect(main.locator('[data-testid="stCode"]')).to_contain_text("< script > alert ( 1 ) < / script >")
    wait_settled(page, timeout=60)
    no_exception(page)
    assert dialogs == []


def test_masked_lm_page_draws_predictions(page, app_url, dialogs, tmp_path):
    save_tiny_bert(tmp_path / "tiny-mlm")
    page.goto(app_url + "/masked-lm")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="BERT's 80/10/10 masking procedure")).to_be_visible(timeout=LOAD)
    commit(page.get_by_label("Masked-LM model", exact=True), str(tmp_path / "tiny-mlm"))
    expect(main.get_by_role("heading", name="1. Predictions for each [MASK]")).to_be_visible(timeout=LOAD)
    commit(page.get_by_label("Target word", exact=True), "sat")
    commit(page.get_by_label("Sentence with [MASK]", exact=True), f"{SCRIPT} the cat [MASK] on the mat .")
    unknown = " ".join(["[UNK]"] * 11)  # < script > alert ( 1 ) < / script >: not in the tiny vocabulary
    expect(main.locator('[data-testid="stCode"]').first).to_have_text(f"[CLS] {unknown} the cat [MASK] on the mat . [SEP]")
    expect(main.locator('[data-testid="stPlotlyChart"] .gtitle', has_text="mask 1 (token 14)")).to_be_visible()
    wait_settled(page, timeout=60)
    no_exception(page)
    bars = chart(page, "mask 1 (token 14)")
    assert bars["svg"] and bars["bars"] == 10 and len(bars["ticks"]) == 10, bars
    heads = next(c for c in charts(page) if c["title"].startswith("mean attention to mask 1"))
    assert heads["bars"] == 4 and heads["ticks"][0].startswith("layer "), heads
    expect(main.locator('[data-testid="stMarkdownContainer"] .katex', has_text="nats")).to_be_visible()
    assert dialogs == []
