"""Memory: the Streamlit server's resident memory with the bundled model loaded, against a bare
Streamlit server. Goal: under 700 MB.

Attention Lab: start the server, open the home page in Chromium (RSS "home": no model yet), then
/real-model, where the bundled MiniLM loads and the default sentence is analysed (RSS "model": the
figure the goal is about), then a 128-token text is analysed on that page (RSS "model_128"). The bare
server runs a one-line app (st.title) started the same way, opened once. RSS is read with psutil, the
server process plus any children, a second after the page has settled; the peak (VmHWM) and the
unique set size (USS, memory no other process shares) are reported beside it. Printed and saved to
benchmarks/results/memory.json.

    .venv/bin/python benchmarks/memory.py
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import psutil
import sentences
from checkout import revision
from common import REPO, harness, save, write_bare_app

GOAL_MB = 700
BARE_SOURCE = 'import streamlit as st\n\nst.title("Attention Lab")\n'
MB = 1024 * 1024


def memory(pid: int) -> dict:
    """RSS, USS and peak RSS in MB of a process and its children, summed."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    rss = uss = hwm = 0
    for p in procs:
        info = p.memory_full_info()
        rss, uss = rss + info.rss, uss + info.uss
        with open(f"/proc/{p.pid}/status") as f:
            hwm += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    return {"rss_mb": rss / MB, "uss_mb": uss / MB, "peak_rss_mb": hwm / MB, "processes": len(procs),
            "load_avg_1min": os.getloadavg()[0]}


def settle_and_read(page, pid: int, tokens: list[str] | None = None) -> dict:
    """Memory once the page has settled; on page 3, once its views show `tokens` (harness.wait_settled
    alone can return before a rerun has visibly started when the machine is loaded)."""
    if tokens is not None:
        from views import wait_drawn

        wait_drawn(page, tokens)
    else:
        harness.wait_settled(page, timeout=300)
    time.sleep(1.0)
    return memory(pid)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.parse_args()

    from playwright.sync_api import sync_playwright

    code = revision()  # the checkout as the run starts

    result = {"code": code, "goal_mb": GOAL_MB, "measure": "RSS of the Streamlit server process and its children, via psutil"}
    blocked: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        bare = write_bare_app(tmp / "bare", BARE_SOURCE)
        browser = harness.launch_chromium(pw)
        for name, (script, cwd) in {"attention_lab": ("streamlit_app.py", REPO),
                                    "bare_streamlit": (str(bare), bare.parent)}.items():
            port = harness.free_port()
            url = f"http://127.0.0.1:{port}"
            with open(tmp / f"{name}.log", "wb") as log:
                proc = harness.start_streamlit(script, cwd, port, log)
            try:
                harness.wait_healthy(url, proc)
                result[name] = {"started": memory(proc.pid)}
                context = harness.offline_context(browser, blocked)
                page = context.new_page()
                page.goto(url)
                result[name]["home"] = settle_and_read(page, proc.pid)
                if name == "attention_lab":
                    tok = sentences.tokenizer()
                    page.goto(url + "/real-model")
                    result[name]["model"] = settle_and_read(
                        page, proc.pid, tok.convert_ids_to_tokens(tok(sentences.SHORT)["input_ids"]))
                    box = page.get_by_label("Sentence A", exact=True)
                    text = sentences.exact(128, 0, tok)
                    box.fill(text)
                    box.press("Control+Enter")
                    result[name]["model_128"] = settle_and_read(
                        page, proc.pid, tok.convert_ids_to_tokens(tok(text)["input_ids"]))
                context.close()
            finally:
                harness.stop(proc)
            for stage, m in result[name].items():
                print(f"{name:15s} {stage:10s} RSS {m['rss_mb']:6.0f} MB  (USS {m['uss_mb']:6.0f} MB, peak {m['peak_rss_mb']:6.0f} MB,"
                      f" {m['processes']} process{'es' if m['processes'] > 1 else ''}; load {m['load_avg_1min']:.2f})", flush=True)
        browser.close()

    lab, base = result["attention_lab"]["model"]["rss_mb"], result["bare_streamlit"]["home"]["rss_mb"]
    result["model_rss_mb"] = lab
    result["bare_rss_mb"] = base
    result["over_bare_mb"] = lab - base
    result["blocked_hosts"] = sorted({u.split("/")[2] for u in blocked})
    path = save("memory", result)
    print(f"\nserver memory: Attention Lab with the bundled model loaded and a sentence analysed {lab:.0f} MB RSS "
          f"(goal < {GOAL_MB} MB: {'met' if lab < GOAL_MB else 'NOT met'}); a bare Streamlit server {base:.0f} MB; "
          f"difference {lab - base:.0f} MB")
    print(f"saved {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
