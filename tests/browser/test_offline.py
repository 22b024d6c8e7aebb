"""The app needs nothing from the internet: with every non-local request aborted, the home page and
page 1 render completely, and no local request fails. The hosts the browser tried are printed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.harness import LOCAL_HOSTS, wait_settled

pytestmark = pytest.mark.browser


def test_app_works_with_only_localhost_reachable(page, app_url, blocked_requests):
    before = len(blocked_requests)
    failed, errors = [], []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    for path, heading in [("/", "Attention Lab"), ("/self-attention", "Self-attention, step by step")]:
        page.goto(app_url + path)
        expect(page.locator("h1").first).to_contain_text(heading)
        wait_settled(page)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    attempted = sorted({urlsplit(u).hostname for u in blocked_requests[before:]})
    print(f"non-local hosts attempted (all aborted): {attempted or 'none'}")
    if errors:
        print("console errors:", *errors, sep="\n  ")
    local_failures = [f for f in failed if urlsplit(f.split(" ")[0]).hostname in LOCAL_HOSTS]
    assert not local_failures, local_failures
