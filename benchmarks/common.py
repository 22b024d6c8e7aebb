"""What the browser benchmarks share: the repo's browser harness, a bare Streamlit app to compare
against, summary statistics and the JSON result files (benchmarks/results/, not committed)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.browser import harness  # noqa: E402  (needs REPO on sys.path)

RESULTS = REPO / "benchmarks" / "results"


def write_bare_app(folder: Path, source: str) -> Path:
    """A one-file Streamlit app in `folder`, with the repo's .streamlit/config.toml beside it so
    both apps start with the same settings."""
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    (folder / ".streamlit" / "config.toml").write_text((REPO / ".streamlit" / "config.toml").read_text())
    script = folder / "bare_app.py"
    script.write_text(source)
    return script


def summary(values: list[float]) -> dict:
    return {"median_s": statistics.median(values), "min_s": min(values), "max_s": max(values),
            "runs_s": [round(v, 4) for v in values]}


def machine() -> dict:
    from importlib.metadata import version

    try:
        chromium = subprocess.run([harness.CHROMIUM, "--version"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
    except OSError:
        chromium = "missing"
    return {"python": platform.python_version(), "streamlit": version("streamlit"),
            "playwright": version("playwright"), "chromium": chromium,
            "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), **result}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
