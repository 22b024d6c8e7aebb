"""Helpers shared by the AppTest page tests."""

from __future__ import annotations

import re
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
