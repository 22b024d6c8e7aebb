"""Cold start: from launching `streamlit run` to the first paint of the home page in Chromium (the
title "Attention Lab" visible), for Attention Lab against a one-line Streamlit app started the same
way. Runs alternate between the two apps; medians and their ratio are printed and saved to
benchmarks/results/cold_start.json. Goal: Attention Lab within 1.5x of the one-line app.

    .venv/bin/python benchmarks/cold_start.py [-n 5] [--warmup 1] [--streamlit-arg=--server.X=Y ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import REPO, harness, save, summary, write_bare_app

BARE_SOURCE = 'import streamlit as st\n\nst.title("Attention Lab")\n'
GOAL = 1.5


def cold_start(browser, script: str, cwd: Path, log_dir: Path, blocked: list[str], extra_args=()) -> dict:
    """One launch: seconds to a healthy server, and to the title painted in a fresh browser context."""
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_dir / f"{Path(script).stem}-{port}.log", "wb") as log:
        t0 = time.perf_counter()
        proc = harness.start_streamlit(script, cwd, port, log, tuple(extra_args))
    try:
        harness.wait_healthy(url, proc, poll=0.01)
        t_health = time.perf_counter()
        context = harness.offline_context(browser, blocked)
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.get_by_role("heading", name="Attention Lab").wait_for(state="visible", timeout=120_000)
        t_paint = time.perf_counter()
        context.close()
    finally:
        harness.stop(proc)
    return {"health_s": t_health - t0, "paint_s": t_paint - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=5, help="timed launches of each app (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed launches of each app first (default 1)")
    ap.add_argument("--streamlit-arg", action="append", default=[], metavar="ARG",
                    help="an extra argument for both `streamlit run`s, e.g. --streamlit-arg=--server.fileWatcherType=poll")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    apps = {"attention_lab": ("streamlit_app.py", REPO)}
    runs: dict[str, list[dict]] = {name: [] for name in ("attention_lab", "one_line_app")}
    blocked: dict[str, list[str]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        apps["one_line_app"] = (str(write_bare_app(tmp / "bare", BARE_SOURCE)), tmp / "bare")
        browser = harness.launch_chromium(pw)
        for i in range(args.warmup + args.n):
            order = list(apps) if i % 2 == 0 else list(reversed(apps))
            for name in order:
                r = cold_start(browser, *apps[name], tmp, blocked[name], args.streamlit_arg)
                timed = i >= args.warmup
                if timed:
                    runs[name].append(r)
                print(f"{'run' if timed else 'warm-up'} {i + 1 - args.warmup if timed else i + 1}: {name:14s} "
                      f"healthy {r['health_s']:.2f} s, title painted {r['paint_s']:.2f} s", flush=True)
        browser.close()

    result = {"n": args.n, "warmup": args.warmup, "goal_ratio": GOAL, "streamlit_args": args.streamlit_arg,
              "measure": "launch of `streamlit run` to the h1 'Attention Lab' visible in Chromium"}
    for name, rs in runs.items():
        result[name] = {"paint": summary([r["paint_s"] for r in rs]), "health": summary([r["health_s"] for r in rs])}
    ratio = result["attention_lab"]["paint"]["median_s"] / result["one_line_app"]["paint"]["median_s"]
    result["ratio"] = ratio
    result["blocked_hosts"] = {name: sorted({u.split("/")[2] for u in urls}) for name, urls in blocked.items()}
    path = save("cold_start", result)

    print(f"\ncold start, median of {args.n} (launch -> title painted; launch -> healthy):")
    for name in runs:
        print(f"  {name:14s} {result[name]['paint']['median_s']:.2f} s   ({result[name]['health']['median_s']:.2f} s)")
    print(f"  ratio {ratio:.2f}x (goal <= {GOAL}x): {'met' if ratio <= GOAL else 'NOT met'}")
    for name, hosts in result["blocked_hosts"].items():
        print(f"  {name}: non-local requests aborted, to: {', '.join(hosts) or 'none'}")
    print(f"saved {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
