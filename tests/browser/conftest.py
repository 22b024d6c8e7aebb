"""Real-browser fixtures: one Streamlit server and one headless Chromium for the whole session,
and a fresh offline page per test (see harness.py for how each is started)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from core.model_names import DEFAULT_SETTING
from tests.browser import harness

# The first run of a page imports numpy, plotly and friends in the server: allow for a slow machine.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Base URL of `streamlit run streamlit_app.py` started from the repository root; stopped after
    the session, with the server's log printed if it holds a traceback."""
    port = harness.free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log_path, "wb") as log:
        # the model box loads what the server allows: its default list, and the tests' own folders
        models = f"{DEFAULT_SETTING}, {tmp_path_factory.getbasetemp()}"
        proc = harness.start_streamlit("streamlit_app.py", harness.REPO, port, log,
                                       env={"ATTENTION_LAB_MODELS": models})
    url = f"http://127.0.0.1:{port}"
    try:
        harness.wait_healthy(url, proc)
    except Exception as err:
        harness.stop(proc)
        pytest.fail(f"the Streamlit server did not start ({err}):\n{log_path.read_text(errors='replace')[-4000:]}")
    yield url
    harness.stop(proc)
    text = log_path.read_text(errors="replace")
    if "Traceback" in text:
        print(f"\n--- streamlit server log ({log_path}) ---\n{text[-4000:]}")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        yield browser
        browser.close()


_BLOCKED: list[str] = []


@pytest.fixture(scope="session")
def blocked_requests():
    """Every URL a browser context aborted because its host was not local (the whole session's);
    pytest's summary names their hosts."""
    return _BLOCKED


def pytest_terminal_summary(terminalreporter):
    if _BLOCKED:
        hosts = sorted({urlsplit(u).hostname or u for u in _BLOCKED})
        terminalreporter.write_line(f"browser tests: the browser tried {len(_BLOCKED)} non-local request(s), "
                                    f"all aborted, to: {', '.join(hosts)}")


@pytest.fixture
def page(chromium, blocked_requests):
    """A fresh page in its own offline context (so its own cookies, cache and Streamlit session)."""
    context = harness.offline_context(chromium, blocked_requests)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def pytest_collection_modifyitems(config, items):
    """Browser tests are the slowest: run them after everything else."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
