"""Helpers shared by the AppTest page tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def open_page(page: str | None = None, *, timeout: float = 120, **query) -> AppTest:
    """The real app script (navigation included), switched to `page`, with `query` as URL parameters."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    """Texts as a reader sees them: typed text is markdown-escaped (app.plain), so drop the escapes."""
    return " ".join(re.sub(r"\\(.)", r"\1", str(e.value)) for e in elements)


HEAVY = ("torch", "transformers", "bertviz")


def heavy_imports(pages: list[str], env: dict[str, str] | None = None) -> list[str]:
    """Which of HEAVY a fresh interpreter has imported after running the app and switching to `pages`."""
    script = (
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=60).run()\n"
        f"for page in {tuple(pages)!r}:\n"
        "    at.switch_page(page).run()\n"
        "    assert not at.exception, page\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
