"""On a phone (375 × 812, touch): pages 1, 3, 5 and 6 never scroll sideways as a whole; whatever is
wider than the screen (a matrix, a formula, a table) scrolls inside a box of its own. Two phone
screenshots (page 1 and page 6) go into docs/screenshots/ for the README's tour."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import harness
from tests.browser.a11y import wait_ready
from tests.browser.harness import SCREENSHOTS

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}

# The page must not scroll sideways, and every element of the page that reaches past the screen's edges
# must sit inside a box that scrolls sideways itself (and that box must fit the screen).
OVERFLOW_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const scrolls = a => ['auto', 'scroll'].includes(getComputedStyle(a).overflowX);
  const onScreen = a => a.getBoundingClientRect().right <= innerWidth + 1 && a.getBoundingClientRect().left >= -1;
  const clips = a => ['hidden', 'clip'].includes(getComputedStyle(a).overflowX);
  const inBox = e => {  // some box around it scrolls sideways and fits the screen (or, for a text-less
    // decoration such as a progress bar's fill, clips it)
    const bare = !(e.textContent || '').trim();
    for (let a = e.parentElement; a && a !== main; a = a.parentElement)
      if ((scrolls(a) || (bare && clips(a))) && onScreen(a)) return true;
    return false;
  };
  const out = [];
  for (const e of main.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || (r.right <= innerWidth + 1 && r.left >= -1)) continue;
    const fits = inBox(e);
    if (!fits) out.push(`${e.tagName.toLowerCase()} "${(e.textContent || '').slice(0, 30)}" in `
                        + `${(e.closest('[data-testid]') || main).dataset.testid} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
  }
  const boxes = [...main.querySelectorAll('*')].filter(e => scrolls(e) && e.scrollWidth > e.clientWidth + 1);
  return {page: document.scrollingElement.scrollWidth, main: main.scrollWidth, inner: innerWidth,
          outside: out.slice(0, 10), scrolling_boxes: boxes.length};
}"""


@pytest.fixture
def phone(chromium, blocked_requests):
    context = harness.offline_context(chromium, blocked_requests, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.set_default_timeout(30_000)
    yield page
    context.close()


def assert_fits(page, where: str) -> dict:
    seen = page.evaluate(OVERFLOW_JS)
    assert seen["page"] <= seen["inner"] and seen["main"] <= seen["inner"], f"{where} scrolls sideways: {seen}"
    assert not seen["outside"], f"{where}: wider than the screen and not in a box that scrolls: {seen['outside']}"
    return seen


def screenshot(page, name: str, at, block: str = "start") -> None:
    """The phone's screen (the device's 2 px per CSS pixel), scrolled to the element `at`."""
    at.evaluate(f"e => e.scrollIntoView({{block: '{block}'}})")
    if block == "start":  # clear of Streamlit's header, which lies over the page's top 60 px
        page.locator('[data-testid="stMain"]').evaluate("m => m.scrollBy(0, -80)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / name))


def test_page_1_on_a_phone(phone, app_url):
    phone.goto(app_url + "/self-attention")
    wait_ready(phone)
    screenshot(phone, "phone_self_attention.png", phone.get_by_text("ICE #1 asks:"))
    assert_fits(phone, "page 1")
    # the widest example page 1 takes: 8 tokens, d_model 8, d_k 8, every step and every table of numbers
    for label in ("tokens n", "d_model", "d_k"):
        field = phone.get_by_label(label, exact=True)
        field.fill("8")
        field.press("Enter")
        wait_ready(phone)
    phone.get_by_role("button", name="Load seed").tap()
    wait_ready(phone)
    phone.get_by_text("Show all steps").first.tap()
    expect(phone.get_by_role("heading", name="7. Output A·V")).to_be_visible()
    wait_ready(phone)
    for summary in phone.locator('[data-testid="stMain"] summary', has_text="Numbers:").all()[:4]:
        summary.tap()
    wait_ready(phone)
    seen = assert_fits(phone, "page 1 with 8 × 8 matrices")
    assert seen["scrolling_boxes"] > 0, "the 8 × 8 example should need at least one box that scrolls"


@pytest.mark.parametrize("path", ["/real-model", "/embeddings"])
def test_model_pages_on_a_phone(phone, app_url, path):
    phone.goto(app_url + path)
    wait_ready(phone)
    expect(phone.locator('[data-testid="stException"]')).to_have_count(0)
    assert_fits(phone, path)


def test_page_6_on_a_phone(phone, app_url):
    phone.goto(app_url + "/exercises")
    wait_ready(phone)
    assert_fits(phone, "page 6, signed out")
    phone.get_by_role("button", name="Practice without signing in").tap()
    expect(phone.get_by_role("button", name="Submit")).to_be_visible()
    wait_ready(phone)
    screenshot(phone, "phone_exercises.png", phone.get_by_role("button", name="Submit"), block="end")
    assert_fits(phone, "page 6, an exercise")
