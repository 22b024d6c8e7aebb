"""Where page 1's round trip goes: the edit of `roundtrip.py` (X -> Ctrl+Enter -> the new ICE #1 answer),
taken apart in the browser with Chrome's DevTools protocol, as `views.py` does for page 3.

Per edit, from the key press: when the websocket brought the run's first message, the answer's element
and `script_finished` (the server's script run, as the browser receives it), when the answer showed,
when the page settled; the renderer's busy time split by Chrome's Performance domain (script, layout,
style recalculation) and by Chrome's sampling profiler per script file (Streamlit's React bundle,
PlotlyChart, KaTeX, markdown, the browser's own work); and the websocket bytes the edit brought, per
message kind (a heatmap's plotly JSON, a table, markdown, ...). Medians over the edits are printed and
saved to benchmarks/results/page1_profile.json.

    .venv/bin/python benchmarks/page1_profile.py [-n 10] [--warmup 2] [--all-steps | --bare]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import REPO, harness, save, write_bare_app
from roundtrip import BARE_SOURCE, X_TEXTS, answer_for
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# which library a script file belongs to, by the name Streamlit's build gives its chunks
LIBRARIES = (("PlotlyChart", "plotly"), ("katex", "KaTeX"), ("rehype-katex", "KaTeX"),
             ("StreamlitMarkdown", "markdown"), ("Html.", "st.html"), ("Table.", "st.table"),
             ("index.", "Streamlit (React)"), ("TextArea", "widgets"), ("NumberInput", "widgets"))


def library(url: str, function: str) -> str:
    name = url.rsplit("/", 1)[-1]
    if not name:
        return f"browser: {function or 'native'}"  # (program), (garbage collector), (idle), ...
    for prefix, lib in LIBRARIES:
        if name.startswith(prefix):
            return lib
    return f"JS: {name}"


def by_library(profile: dict) -> dict[str, float]:
    """Seconds of sampled renderer time per library (see LIBRARIES), idle left out."""
    lib = {n["id"]: library(n["callFrame"]["url"], n["callFrame"]["functionName"]) for n in profile["nodes"]}
    out: dict[str, float] = {}
    for sample, dt in zip(profile["samples"], profile["timeDeltas"], strict=False):
        if lib[sample] != "browser: (idle)":
            out[lib[sample]] = out.get(lib[sample], 0.0) + dt / 1e6
    return out


def kind(payload: bytes) -> str:
    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:  # noqa: BLE001  (not a ForwardMsg: count it all the same)
        return "undecoded"
    k = msg.WhichOneof("type") or "?"
    if k == "delta":
        d = msg.delta.WhichOneof("type") or "?"
        return f"{d}.{msg.delta.new_element.WhichOneof('type')}" if d == "new_element" else d
    return k


def metrics(cdp) -> dict[str, float]:
    m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
    return {"task_s": m["TaskDuration"], "script_s": m["ScriptDuration"], "layout_s": m["LayoutDuration"],
            "style_s": m["RecalcStyleDuration"], "dom_nodes": m["Nodes"]}


_ANSWER_JS = """(target) => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMarkdownContainer"]')]
  .some(e => e.innerText.includes(target))"""


def edit(page, cdp, frames: list, sent: list, box, value: str, commit: str, target: str) -> dict:
    """One edit: type `value`, press `commit`, until `target` shows; what happened in between."""
    harness.wait_settled(page, quiet=0.5)
    box.fill(value)
    before = metrics(cdp)
    cdp.send("Profiler.start")
    start, start_sent = len(frames), len(sent)
    t0 = time.perf_counter()
    box.press(commit)
    page.wait_for_function(_ANSWER_JS, arg=target, polling="raf", timeout=60_000)
    t_answer = time.perf_counter() - t0
    to_answer = by_library(cdp.send("Profiler.stop")["profile"])
    cdp.send("Profiler.start")
    harness.wait_settled(page, quiet=0.5)
    rest = by_library(cdp.send("Profiler.stop")["profile"])
    after = metrics(cdp)
    got = [(t - t0, p) for t, p in frames[start:]]
    kinds: dict[str, int] = {}
    for _, p in got:
        kinds[kind(p)] = kinds.get(kind(p), 0) + len(p)
    when = lambda test: next((t for t, p in got if test(p)), None)  # noqa: E731
    needle = target.encode()
    return {"answer_shown_s": t_answer,
            "rerun_request_sent_s": sent[start_sent] - t0 if len(sent) > start_sent else None,
            "first_message_s": got[0][0] if got else None,
            "answer_message_s": when(lambda p: needle in p),
            "script_finished_s": when(lambda p: kind(p) == "script_finished"),
            "renderer": {k: after[k] - before[k] for k in ("task_s", "script_s", "layout_s", "style_s")},
            "dom_nodes": after["dom_nodes"],
            "cpu_to_answer_s": to_answer,
            "cpu_whole_s": {k: to_answer.get(k, 0) + rest.get(k, 0) for k in {*to_answer, *rest}},
            "websocket_bytes": sum(len(p) for _, p in got), "messages": len(got), "bytes_by_kind": kinds}


def median_dict(ds: list[dict], top: int = 8) -> dict[str, float]:
    """Per key, the median over the edits (0 where an edit lacks it); the `top` largest keys."""
    keys = sorted({k for d in ds for k in d}, key=lambda k: -statistics.median(d.get(k, 0) for d in ds))
    return {k: round(statistics.median(d.get(k, 0) for d in ds), 4) for k in keys[:top]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10, help="profiled edits (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="unprofiled edits first (default 2)")
    ap.add_argument("--all-steps", action="store_true", help="switch on 'Show all steps' first (7 steps, not 1)")
    ap.add_argument("--bare", action="store_true", help="the same, on roundtrip.py's bare page (a number input, "
                    "Enter, until 'x squared is ...' shows): the anchor taken apart the same way")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    runs, blocked, frames, sent = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        port = harness.free_port()
        with open(Path(tmp) / "app.log", "wb") as log:
            if args.bare:
                bare = write_bare_app(Path(tmp) / "bare", BARE_SOURCE)
                proc = harness.start_streamlit(str(bare), bare.parent, port, log)
            else:
                proc = harness.start_streamlit("streamlit_app.py", REPO, port, log)
        try:
            harness.wait_healthy(f"http://127.0.0.1:{port}", proc)
            browser = harness.launch_chromium(pw)
            page = harness.offline_context(browser, blocked).new_page()
            def watch(ws):
                ws.on("framereceived", lambda p: frames.append((time.perf_counter(), p.encode() if isinstance(p, str) else p)))
                ws.on("framesent", lambda p: sent.append(time.perf_counter()))
            page.on("websocket", watch)
            page.goto(f"http://127.0.0.1:{port}" + ("" if args.bare else "/self-attention"))
            box = page.get_by_label("x" if args.bare else "X", exact=True)
            box.wait_for()
            harness.wait_settled(page)
            if args.all_steps:
                page.get_by_text("Show all steps").first.click()
                harness.wait_settled(page)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})  # microseconds
            for i in range(args.warmup + args.n):
                if args.bare:
                    r = edit(page, cdp, frames, sent, box, str(2 + i), "Enter", f"x squared is {(2 + i) ** 2}")
                else:
                    x_text = X_TEXTS[i % 2]
                    r = edit(page, cdp, frames, sent, box, x_text, "Control+Enter", answer_for(x_text))
                if i >= args.warmup:
                    runs.append(r)
                print(f"{'edit' if i >= args.warmup else 'warm-up'} {i + 1}: answer {r['answer_shown_s'] * 1000:.0f} ms, "
                      f"script_finished {1000 * (r['script_finished_s'] or 0):.0f} ms, {r['websocket_bytes']} B, "
                      f"renderer busy {r['renderer']['task_s'] * 1000:.0f} ms", flush=True)
            browser.close()
        finally:
            harness.stop(proc)

    med = lambda key: statistics.median(r[key] for r in runs if r[key] is not None)  # noqa: E731
    result = {"n": args.n, "all_steps": args.all_steps, "bare": args.bare, "load_avg_1m": os.getloadavg()[0],
              **{k: round(med(k), 4) for k in ("answer_shown_s", "rerun_request_sent_s", "first_message_s", "answer_message_s",
                                               "script_finished_s", "websocket_bytes", "messages")},
              "renderer_s": median_dict([r["renderer"] for r in runs]),
              "cpu_to_answer_s": median_dict([r["cpu_to_answer_s"] for r in runs]),
              "cpu_whole_s": median_dict([r["cpu_whole_s"] for r in runs]),
              "bytes_by_kind": median_dict([r["bytes_by_kind"] for r in runs], top=20),
              "dom_nodes": runs[-1]["dom_nodes"], "runs": runs}
    path = save("page1_profile_bare" if args.bare else "page1_profile", result)
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    print(f"\npage 1, median of {args.n} edits (load average {result['load_avg_1m']:.2f}):")
    for k in ("rerun_request_sent_s", "first_message_s", "answer_message_s", "script_finished_s", "answer_shown_s"):
        print(f"  {k:<20} {ms(result[k])}")
    print("  renderer (Performance domain): " + ", ".join(f"{k} {ms(v)}" for k, v in result["renderer_s"].items()))
    print("  sampled, press -> answer:      " + ", ".join(f"{k} {ms(v)}" for k, v in result["cpu_to_answer_s"].items()))
    print("  sampled, press -> settled:     " + ", ".join(f"{k} {ms(v)}" for k, v in result["cpu_whole_s"].items()))
    print(f"  websocket {result['websocket_bytes']:.0f} B in {result['messages']:.0f} messages: "
          + ", ".join(f"{k} {v:.0f}" for k, v in result["bytes_by_kind"].items()))
    print(f"  DOM nodes {result['dom_nodes']:.0f}; saved {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
