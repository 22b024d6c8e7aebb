"""roundtrip.py's page-1 edit on several copies of the app side by side, against the same bare page.

Each LABEL=DIR is a checkout (a `git archive` copy, or one with page 1 stripped or changed) served with
its own `streamlit run streamlit_app.py`; all pages live in one browser, every round edits each page once
in turn, each brought to the front first (roundtrip.py's `timed_edit`), so the copies share the machine's
load. A copy's page 1 only has to show "token 2 attends most to ..." for roundtrip.py's two versions of X.
`--timeline`: also, from the page's own clock, when the rerun request left, the run's first websocket
message arrived, the answer's message arrived and the answer reached the DOM, and messages per edit.

    .venv/bin/python benchmarks/page1_variants.py -n 20 main=/tmp/main branch=.
    .venv/bin/python benchmarks/page1_variants.py -n 20 --cpu --stripped all page1=.   # page 1 taken apart

`--stripped NAMES` (comma-separated, or `all`) adds benchmarks/page1_stripped.py's copies of this checkout's
HEAD with page 1 replaced by a page that keeps one part of it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import REPO, harness, save, summary, write_bare_app
from page1_stripped import PAGES, make
from roundtrip import _SHOWN_JS, BARE_SOURCE, X_TEXTS, answer_for

NEEDLE = "token 2 attends most to"
_TIMELINE_INIT = r"""
window.__tl = [];
const T = (k, extra) => window.__tl.push([k, performance.now(), extra || '']);
const OrigWS = window.WebSocket;
window.WebSocket = function(...a) { const ws = new OrigWS(...a);
  const origSend = ws.send.bind(ws); ws.send = (d) => { T('send'); return origSend(d); };
  ws.addEventListener('message', (e) => { let s = '';
    try { s = new TextDecoder().decode(new Uint8Array(e.data)); } catch (x) {}
    T('msg', s.includes(window.__needle || '\u0000\u0000') ? 'ANSWER' : ''); });
  return ws; };
window.WebSocket.prototype = OrigWS.prototype; Object.assign(window.WebSocket, OrigWS);
addEventListener('keydown', () => T('keydown'), true);
"""
_TIMELINE_WATCH = r"""(needle) => { window.__needle = needle; window.__tl = [];
  const has = () => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMarkdownContainer"]')]
    .some(e => e.textContent.includes(needle));
  const mo = new MutationObserver(() => { if (has()) { window.__tl.push(['dom', performance.now(), '']); mo.disconnect(); } });
  mo.observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


def timeline(page) -> dict:
    """Milliseconds from the key press: request sent, first message, the answer's message, the answer in
    the DOM; and the messages of the edit (read once the page has settled)."""
    tl = page.evaluate("window.__tl")
    k0 = next(t for k, t, _ in tl if k == "keydown")
    first = lambda kind, extra=None: next((t - k0 for k, t, x in tl if k == kind and t >= k0  # noqa: E731
                                           and (extra is None or x == extra)), None)
    return {"send": first("send"), "first_msg": first("msg"), "answer_msg": first("msg", "ANSWER"),
            "dom": first("dom"), "messages": sum(1 for k, t, _ in tl if k == "msg" and t >= k0)}


BUSY = {"TaskDuration": "busy_s", "ScriptDuration": "script_s", "RecalcStyleDuration": "style_s",
        "LayoutDuration": "layout_s"}


def busy(cdp) -> dict[str, float]:
    """The renderer's main-thread time so far (Chrome's Performance domain), seconds: all tasks, JavaScript,
    style recalculation, layout."""
    return {BUSY[m["name"]]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] in BUSY}


def timed_edit(page, cdp, box, value: str, commit_key: str, needle: str, target: str) -> dict:
    """roundtrip.py's timed_edit (the page in front, settled; key press to the target text), with the
    renderer's busy time from the press to the answer shown (`cdp`: Performance domain, or None)."""
    page.bring_to_front()
    harness.wait_settled(page, quiet=0.5)
    box.fill(value)
    busy0 = busy(cdp) if cdp else {}
    t0 = time.perf_counter()
    box.press(commit_key)
    page.wait_for_function(_SHOWN_JS, arg=[needle, target, 1], polling="raf", timeout=60_000)
    r = {"answer_s": time.perf_counter() - t0}
    if cdp:
        r.update({k: v - busy0[k] for k, v in busy(cdp).items()})
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("copies", nargs="*", metavar="LABEL=DIR", help="a label and a checkout to serve")
    ap.add_argument("--stripped", default="", help=f"stripped copies to add: all, or some of {','.join(PAGES)}")
    ap.add_argument("-n", type=int, default=20, help="timed edits on each page (default 20)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed edits on each page first (default 2)")
    ap.add_argument("--timeline", action="store_true", help="also time the websocket messages in the page")
    ap.add_argument("--cpu", action="store_true", help="also the renderer's busy time, press to answer shown")
    args = ap.parse_args()
    copies = [(label, Path(folder).resolve()) for label, folder in (c.split("=", 1) for c in args.copies)]

    from playwright.sync_api import sync_playwright

    cdps: dict = {}
    procs, blocked, loads = [], [], [os.getloadavg()[0]]
    runs: dict[str, list[dict]] = {"bare": [], **{label: [] for label, _ in copies}}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        names = list(PAGES) if args.stripped == "all" else [n for n in args.stripped.split(",") if n]
        copies += list(make(REPO, Path(tmp) / "stripped", names).items())
        runs.update({label: [] for label in names})
        bare = write_bare_app(Path(tmp) / "bare", BARE_SOURCE)
        servers = [("bare", str(bare), bare.parent)] + [(label, "streamlit_app.py", folder) for label, folder in copies]
        pages, boxes = {}, {}
        try:
            urls = {}
            for label, script, cwd in servers:
                port = harness.free_port()
                urls[label] = f"http://127.0.0.1:{port}"
                with open(Path(tmp) / f"{label}.log", "wb") as log:
                    procs.append(harness.start_streamlit(script, cwd, port, log))
                harness.wait_healthy(urls[label], procs[-1])
            browser = harness.launch_chromium(pw)
            context = harness.offline_context(browser, blocked)
            if args.timeline:
                context.add_init_script(_TIMELINE_INIT)
            for label, _, _ in servers:
                pages[label] = page = context.new_page()
                page.goto(urls[label] + ("" if label == "bare" else "/self-attention"))
                boxes[label] = page.get_by_label("x" if label == "bare" else "X", exact=True)
                boxes[label].wait_for()
                harness.wait_settled(page)
                if args.cpu:
                    cdps[label] = context.new_cdp_session(page)
                    cdps[label].send("Performance.enable")
            for i in range(args.warmup + args.n):
                for label, _, _ in servers:
                    page = pages[label]
                    if label == "bare":
                        value, target, key, needle = str(2 + i), f"x squared is {(2 + i) ** 2}", "Enter", "x squared is"
                    else:
                        value, key, needle = X_TEXTS[i % 2], "Control+Enter", NEEDLE
                        target = answer_for(value)
                    if args.timeline:
                        page.bring_to_front()
                        harness.wait_settled(page, quiet=0.5)
                        page.evaluate(_TIMELINE_WATCH, target)
                    r = timed_edit(page, cdps.get(label), boxes[label], value, key, needle, target)
                    if args.timeline:
                        harness.wait_settled(page, quiet=0.3)
                        r.update(timeline(page))
                    if i >= args.warmup:
                        runs[label].append(r)
                loads.append(os.getloadavg()[0])
            browser.close()
        finally:
            for proc in procs:
                harness.stop(proc)

    base = statistics.median(r["answer_s"] for r in runs["bare"])
    result = {"n": args.n, "warmup": args.warmup, "load_1min": [min(loads), max(loads)],
              "copies": {label: str(folder) for label, folder in copies}}
    print(f"median of {args.n} edits each, load average (1 min) {min(loads):.1f}-{max(loads):.1f}:")
    for label, rs in runs.items():
        answer = summary([r["answer_s"] for r in rs])
        result[label] = {"answer": answer, "ratio": answer["median_s"] / base}
        q1 = statistics.quantiles([r["answer_s"] for r in rs], n=4, method="inclusive")[0] if len(rs) > 1 else answer["median_s"]
        # the ratio within each round (the bare page edited just before): steadier while the load moves
        paired = statistics.median(r["answer_s"] / b["answer_s"] for r, b in zip(rs, runs["bare"], strict=True))
        result[label]["paired_ratio"] = paired
        line = (f"  {label:18s} {answer['median_s'] * 1000:6.0f} ms  {answer['median_s'] / base:5.2f}x"
                f"  (lower quartile {q1 * 1000:4.0f} ms; per-round ratio {paired:.2f}x)")
        if args.cpu:
            result[label]["busy"] = task = summary([r["busy_s"] for r in rs])
            bq1 = statistics.quantiles([r["busy_s"] for r in rs], n=4, method="inclusive")[0] if len(rs) > 1 else task["median_s"]
            line += f"  renderer busy {task['median_s'] * 1000:4.0f} ms (lower quartile {bq1 * 1000:4.0f})"
            for k in ("script_s", "style_s", "layout_s"):
                result[label][k] = summary([r[k] for r in rs])
                line += f" {k[:-2]} {result[label][k]['median_s'] * 1000:.0f}"
        if args.timeline:
            tl = {k: statistics.median(r[k] for r in rs if r.get(k) is not None)
                  for k in ("send", "first_msg", "answer_msg", "dom", "messages") if any(r.get(k) is not None for r in rs)}
            result[label]["timeline_ms"] = tl
            line += "   " + " ".join(f"{k} {v:.0f}" for k, v in tl.items())
        print(line)
    save("page1_variants", result)


if __name__ == "__main__":
    main()
