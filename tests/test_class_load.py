"""benchmarks/class_load.py, short: 5 simulated students (Streamlit's websocket protocol, no browser) against
one app process the tool starts itself, signing in with roster codes and submitting within 1 s, with the
live view open on a simulated projector. Every acknowledged submission must be in the gradebook exactly
once, and the JSON must hold every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KEYS = ("p50_s", "p95_s", "p99_s", "submits_per_s", "acknowledged", "stored_once", "lost", "doubled",
        "server_cpu_ms_per_submit")


def test_five_students_burst_every_submission_stored_once(tmp_path):
    out = tmp_path / "result.json"
    proc = subprocess.run([sys.executable, "benchmarks/class_load.py", "--students", "5", "--shape", "burst",
                           "--window", "1", "--setup-rate", "5", "--timeout", "120", "--live", "1", "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert all(key in result for key in KEYS), [k for k in KEYS if k not in result]
    assert result["errors"] == 0, result["error_examples"]
    assert result["submits"] == result["acknowledged"] == result["stored_once"] == 5
    assert result["lost"] == result["doubled"] == 0
    assert result["stored_as_typed"] == 5  # the answer typed and the mistake expected, in the gradebook
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["p99_s"]
    assert result["server_cpu_ms_per_submit"] > 0
    assert result["server_log_tracebacks"] == 0
    assert "submit" in proc.stdout and "stored exactly once" in proc.stdout
    assert result["live_view"]["error"] is None  # the projector signed in and its view refreshed meanwhile
    assert result["live_view"]["refreshes"] >= 1


def test_widget_ids_come_from_the_page():
    """No widget id is written in the load generator: they are read from the page's elements."""
    for name in ("class_load.py", "class_students.py", "st_session.py", "class_server.py"):
        source = (REPO / "benchmarks" / name).read_text()
        assert "$$ID" not in source and "FormSubmitter:" not in source, name


def test_pairs_need_the_live_view_and_a_server_of_their_own():
    for extra in ([], ["--live", "3", "--url", "http://127.0.0.1:9"], ["--live", "3", "--profile", "x.prof"]):
        proc = subprocess.run([sys.executable, "benchmarks/class_load.py", "--students", "2", "--shape", "burst",
                               "--pairs", "1", *extra], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and "--pairs N needs --live EVERY" in proc.stderr, (extra, proc.stderr[-500:])
