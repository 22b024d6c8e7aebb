"""Driving Attention Lab in a real browser: shared by tests/browser and benchmarks/.

A Streamlit server is started with this interpreter (the venv's) on a free port; Chromium is
Debian's /usr/bin/chromium driven by Playwright's sync API (never `playwright install`, which
downloads a browser). Browser contexts abort every request to a host other than localhost.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1400, "height": 900}


# ---------------------------------------------------------------------------------------------
# the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(script: str, cwd: Path, port: int, log, extra_args: tuple[str, ...] = (),
                    env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m streamlit run SCRIPT` on 127.0.0.1:PORT, headless, usage statistics off; `env` is added
    to this process's environment (e.g. ATTENTION_LAB_DB for a gradebook of its own)."""
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           *extra_args]
    return subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0, poll: float = 0.05) -> None:
    """Poll URL/_stcore/health until it answers 'ok'; fail early if the server process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(poll)
    raise TimeoutError(f"{url}/_stcore/health did not answer 'ok' within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------------------------------------
# the browser


@contextmanager
def serve(log_path: Path, env: dict[str, str], extra_args: tuple[str, ...] = (), port: int | None = None) -> Iterator[str]:
    """The app (`streamlit run streamlit_app.py` from the repository) on 127.0.0.1 with `env` added to this
    process's environment, its output in LOG_PATH: yields its URL once healthy; stops it after, and fails
    if its log holds a traceback."""
    port = port or free_port()
    with open(log_path, "wb") as log:
        proc = start_streamlit("streamlit_app.py", REPO, port, log, extra_args=extra_args, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop(proc)
        text = log_path.read_text(errors="replace")
        assert "Traceback" not in text, text[-4000:]


def launch_chromium(playwright):
    if not os.path.exists(CHROMIUM):
        raise FileNotFoundError(f"{CHROMIUM} is missing: ./run_tests.sh installs Debian's chromium with apt-get")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def offline_context(browser, blocked: list[str], **kwargs):
    """A browser context that aborts, and appends to `blocked`, every request to a non-local host."""
    context = browser.new_context(viewport=VIEWPORT, **kwargs)

    def route(r):
        if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


_STATE_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return [document.querySelectorAll('[data-testid="stElementContainer"]').length,
          main ? main.scrollHeight : -1,
          document.querySelectorAll('[data-stale="true"]').length,
          document.querySelectorAll('[data-testid="stStatusWidget"]').length,
          document.querySelectorAll('[data-testid="stSkeleton"]').length].join(',');
}"""


def wait_settled(page, quiet: float = 0.8, timeout: float = 30.0) -> None:
    """Wait until the script run has finished and the page stopped changing: no stale elements, no
    'Running' status, no skeletons, and the element count and height unchanged for `quiet` seconds."""
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        state = page.evaluate(_STATE_JS)
        now = time.monotonic()
        busy = state.split(",")[2:] != ["0", "0", "0"]
        if state != last or busy:
            last, since = state, now
        elif now - since >= quiet:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(f"the page did not settle within {timeout:.0f} s (last state {last})")


def full_screenshot(page, path: Path) -> None:
    """A screenshot of the whole page. Streamlit scrolls inside <main data-testid=stMain>, not the
    document, so full_page=True alone would stop at the viewport: the viewport grows to fit first."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(height, 12_000))})
    wait_settled(page, quiet=0.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
