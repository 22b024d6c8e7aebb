"""axe-core's WCAG 2.1 A and AA rules on every page, presenter mode included: no serious or critical
violation. axe-core is the npm package pinned in tests/axe/ (scripts/install_test_axe.sh), injected from
its local file by Playwright; nothing comes from the internet.

Each page is checked as a reader would leave it: walk-throughs with every step shown, presenter mode with
every answer and step revealed. The violations per page and impact are printed at the end of the run
(pytest's summary); a failure lists rule, impact, element and page. Rerun alone with
    .venv/bin/python -m pytest -q tests/browser/test_accessibility.py"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import axe_violations, count_by_impact, describe, wait_ready

pytestmark = pytest.mark.browser

LOAD = 180  # s: the first run of a model page loads torch and the model in the server

# (name, URL path, what to do before checking)
PAGES = [
    ("home", "/", ()),
    ("1 self-attention", "/self-attention", ("show all",)),
    ("2 multi-head", "/multi-head", ("show all",)),
    ("3 real model", "/real-model", ()),
    ("4 masked LM", "/masked-lm", ()),
    ("5 embeddings", "/embeddings", ()),
    ("6 exercises", "/exercises", ()),
    ("instructor", "/instructor", ()),
    ("live", "/live", ()),
    ("1 self-attention, presenter", "/self-attention?present=1", ("show all", "reveal")),
    ("2 multi-head, presenter", "/multi-head?present=1", ("show all", "reveal")),
    ("3 real model, presenter", "/real-model?present=1", ("reveal",)),
    ("4 masked LM, presenter", "/masked-lm?present=1", ("reveal",)),
    ("5 embeddings, presenter", "/embeddings?present=1", ("reveal",)),
]

COUNTS: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module", autouse=True)
def print_counts(request):
    """axe's counts per page, on the terminal after this module's tests (pytest's capture set aside)."""
    yield
    if COUNTS:
        out = request.config.pluginmanager.get_plugin("terminalreporter")
        with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
            out.write_line("\naxe-core 4.14.1, WCAG 2.1 A + AA, failing elements per page: critical serious moderate minor")
            for name, c in COUNTS.items():
                out.write_line(f"  {name:30s} {c['critical']:3d} {c['serious']:3d} {c['moderate']:3d} {c['minor']:3d}")


def show_all(page) -> None:
    page.get_by_text("Show all steps").first.click()
    expect(page.get_by_text("All ", exact=False).first).to_be_visible()
    wait_ready(page, timeout=LOAD)


def reveal_all(page) -> None:
    """Press every "Reveal …" button until none is left (each press reruns the page)."""
    main = page.locator('[data-testid="stMain"]')
    for _ in range(40):
        buttons = main.get_by_role("button", name="Reveal")
        if buttons.count() == 0:
            return
        buttons.first.click()
        wait_ready(page, timeout=LOAD)
    raise AssertionError("a Reveal button is still there after 40 presses")


@pytest.mark.parametrize("name,path,actions", PAGES, ids=[p[0].replace(" ", "_") for p in PAGES])
def test_no_serious_axe_violation(page, app_url, name, path, actions):
    page.goto(app_url + path)
    wait_ready(page, timeout=LOAD)
    for action in actions:
        {"show all": show_all, "reveal": reveal_all}[action](page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    violations = axe_violations(page)
    COUNTS[name] = count_by_impact(violations)
    failures = describe(name, violations)
    assert not failures, f"{len(failures)} serious or critical axe violation(s):\n" + "\n".join(failures)
