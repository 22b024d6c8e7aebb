"""Analysis: what page 3 computes for a new sentence on a warm model, against a bare transformers
forward pass with attentions on the same model and sentence. Goal: the app within 1.3x of the bare
forward.

  app   what page 3 computes for a new sentence before its first heatmap: core.models.run(loaded, text)
        + core.head_summary.head_sentence of layer 1, head 1 (its default picks). The head statistics,
        the trace and the heads grid run only when their tab is opened (st.tabs on_change="rerun"):
        they are timed in `tabs`
  run   core.models.run alone: the bare forward plus our extras (a second, untruncated tokenization to
        count the input, hidden states, and the conversion of every tensor to numpy)
  bare  AutoTokenizer + AutoModel.from_pretrained(folder, attn_implementation="eager"), and
        model(**tok(text, return_tensors="pt"), output_attentions=True) under torch.inference_mode()
  page  (informational) app plus the rest of what app/real_model.py computes outside Streamlit's own
        calls for its default view: check_sentence, pickling the result (st.cache_data stores
        encode()'s value pickled), the [UNK] notice, distinct labels, the head's sentence, and the
        single-head heatmap built and serialized as st.plotly_chart does (plotly.io.to_json). Each
        piece is also timed on its own.
  tabs  (informational) what each other tab computes when opened, on an analysed sentence, each piece
        timed: head statistics and their table (Head statistics), trace_head and the steps of the
        traced head (Trace one head), the layer's sentence and heads grid (All heads of this layer)

Both models are loaded once before any timing, then each sentence (page 3's default, 13 tokens, and a
text of exactly 128 tokens) is analysed N times per side after a few untimed runs, the sides taking
turns in a rotating order so that load from other processes hits them alike. Each timed call follows
an idle gap (--gap): without it a call that comes right after another forward pass finds torch's
threads still spinning and runs up to twice as fast as one that follows numpy work, which favoured
whichever side followed a forward pass in the rotation. Medians, ratios and the
1-minute load average around each side's runs are printed and saved to benchmarks/results/analysis.json.

    .venv/bin/python benchmarks/analysis.py [-n 20] [--warmup 3] [--gap 0.2] [--threads T]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import time

import numpy as np
import sentences
import torch
from checkout import revision
from common import REPO, save, summary

from core.examples import distinct_labels
from core.head_summary import head_sentence, layer_sentence
from core.heads import head_stats, table
from core.models import DEFAULT_MODEL, _bundled_folder, load_encoder, run
from core.steps import attention_steps
from core.text import check_sentence, unknown_notice
from core.trace import trace_head

GOAL = 1.3
SIDES = ("app", "run", "bare", "page", "tabs")


def load() -> float:
    return os.getloadavg()[0]


def make_sides(loaded, tok, model):
    """name -> f(text) that analyses text and returns (attentions as numpy [L, h, n, n], {piece: seconds})."""

    def bare(text):
        with torch.inference_mode():
            out = model(**tok(text, return_tensors="pt"), output_attentions=True)
        return out.attentions, {}

    def run_only(text):
        return run(loaded, text).attentions, {}

    def app(text):
        enc = run(loaded, text)
        head_sentence(enc.attentions[0, 0], enc.tokens)
        return enc.attentions, {}

    analysed = {}

    def tabs(text):
        """The other tabs, opened one after the other on the analysed sentence (not part of the clock's
        forward pass: the sentence is analysed once, untimed, per text)."""
        import plotly.io

        from app.attention_views import heads_grid

        if text not in analysed:
            analysed.clear()
            analysed[text] = run(loaded, text)
        enc = analysed[text]
        pieces, t = {}, time.perf_counter()

        def lap(name):
            nonlocal t
            now = time.perf_counter()
            pieces[name] = now - t
            t = now

        stats = head_stats(enc.attentions, enc.tokens)
        table(stats, sort_by="entropy")
        lap("tab_head_stats")
        tr = trace_head(loaded, enc, 0, 0)
        lap("tab_trace_head")
        attention_steps(tr.attention, distinct_labels(enc.tokens), x=tr.x, head="1")
        lap("tab_trace_steps")
        layer_sentence(enc.attentions[0], enc.tokens, 1)
        plotly.io.to_json(heads_grid(enc.attentions[0], enc.tokens), validate=False)
        lap("tab_layer_grid")
        return enc.attentions, pieces

    def page(text):
        # imported here: app/ imports streamlit and plotly, which the other sides do not need
        import plotly.io

        from app.big_heatmap import head_heatmap

        pieces, t = {}, time.perf_counter()

        def lap(name):
            nonlocal t
            now = time.perf_counter()
            pieces[name] = now - t
            t = now

        checked = check_sentence(text, what="sentence A")
        lap("check_sentence")
        enc = run(loaded, checked.text)
        lap("run")
        pickle.dumps(enc, protocol=pickle.HIGHEST_PROTOCOL)
        lap("cache_pickle")
        unknown_notice(enc.tokens, loaded.tokenizer.unk_token)
        distinct_labels(enc.tokens)  # the page computes them for the trace tab and the tables
        lap("labels")
        head_sentence(enc.attentions[0, 0], enc.tokens)
        lap("head_sentence")
        plotly.io.to_json(head_heatmap(enc.attentions[0, 0], enc.tokens, "layer 1, head 1"), validate=False)
        lap("heatmap_json")
        return enc.attentions, pieces

    return {"app": app, "run": run_only, "bare": bare, "page": page, "tabs": tabs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=20, help="timed analyses of each sentence per side (default 20)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed analyses first, per sentence and side (default 3)")
    ap.add_argument("--gap", type=float, default=0.2,
                    help="seconds of idle before each timed analysis (default 0.2), so that every side starts "
                         "with torch's threads asleep, as after a user's typing, whatever ran before it")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads for both sides (default: torch's own choice, as in the app)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from transformers import AutoModel, AutoTokenizer

    load_start = load()
    folder = str(_bundled_folder(DEFAULT_MODEL))
    loaded = load_encoder(DEFAULT_MODEL)
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, attn_implementation="eager")
    model.eval()
    sides = make_sides(loaded, tok, model)

    texts = {"short": sentences.SHORT, "128": sentences.exact(128, 0, tok)}
    result = {"code": revision(), "n": args.n, "warmup": args.warmup, "gap_s": args.gap, "goal_ratio": GOAL, "model": DEFAULT_MODEL,
              "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
              "measure": "seconds for one analysis of a sentence on warm models, sides alternating",
              "load_avg_1min_at_start": load_start, "sentences": {}}
    for label, text in texts.items():
        n_tokens = len(tok(text)["input_ids"])
        # same model, same sentence: the app's attentions are the bare forward's
        diff = float(np.max(np.abs(sides["app"](text)[0] - torch.stack(sides["bare"](text)[0])[:, 0].numpy())))
        times = {s: [] for s in SIDES}
        loads = {s: [] for s in SIDES}
        pieces: dict[str, list[float]] = {}
        tab_pieces: dict[str, list[float]] = {}
        for i in range(args.warmup + args.n):
            order = SIDES[i % len(SIDES):] + SIDES[:i % len(SIDES)]  # rotate who goes first
            for side in order:
                time.sleep(args.gap)
                before = load()
                t0 = time.perf_counter()
                _, parts = sides[side](text)
                dt = time.perf_counter() - t0
                if i >= args.warmup:
                    times[side].append(dt)
                    loads[side].append(before)
                    for k, v in parts.items():
                        (tab_pieces if side == "tabs" else pieces).setdefault(k, []).append(v)
            if i >= args.warmup and (i - args.warmup) % 5 == 4:
                print(f"  {label}: {i + 1 - args.warmup}/{args.n} rounds, load {load():.2f}", flush=True)
        entry = {"text": text, "tokens": n_tokens, "max_abs_diff_app_vs_bare": diff}
        for side in SIDES:
            entry[side] = {**summary(times[side]), "load_avg_1min_median": statistics.median(loads[side]),
                           "load_avg_1min_range": [min(loads[side]), max(loads[side])]}
        base = entry["bare"]["median_s"]
        entry["ratio_app"] = entry["app"]["median_s"] / base
        entry["ratio_run"] = entry["run"]["median_s"] / base
        entry["ratio_page"] = entry["page"]["median_s"] / base
        entry["tabs_pieces_median_s"] = {k: statistics.median(v) for k, v in tab_pieces.items()}
        # the fastest run of each side: what it costs when nothing else holds the CPUs (informational)
        entry["ratio_app_min"] = entry["app"]["min_s"] / entry["bare"]["min_s"]
        entry["ratio_run_min"] = entry["run"]["min_s"] / entry["bare"]["min_s"]
        entry["page_pieces_median_s"] = {k: statistics.median(v) for k, v in pieces.items()}
        result["sentences"][label] = entry
    result["load_avg_1min_at_end"] = load()
    path = save("analysis", result)

    ms = lambda s: f"{s * 1000:7.1f} ms"  # noqa: E731
    print(f"\nanalysis, median of {args.n} per side (torch threads {torch.get_num_threads()}):")
    for label, e in result["sentences"].items():
        print(f"  {label} ({e['tokens']} tokens; app vs bare attentions max |diff| {e['max_abs_diff_app_vs_bare']:.1e}):")
        for side in SIDES:
            r = e[side]
            print(f"    {side:5s} {ms(r['median_s'])}  (min {ms(r['min_s'])}, max {ms(r['max_s'])}; "
                  f"load {r['load_avg_1min_median']:.2f}, {r['load_avg_1min_range'][0]:.2f}-{r['load_avg_1min_range'][1]:.2f})")
        print(f"    app / bare  {e['ratio_app']:.2f}x (goal <= {GOAL}x): {'met' if e['ratio_app'] <= GOAL else 'NOT met'}")
        print(f"    run / bare  {e['ratio_run']:.2f}x   (our conversion to numpy, hidden states, second tokenization)")
        print(f"    fastest runs: app / bare {e['ratio_app_min']:.2f}x, run / bare {e['ratio_run_min']:.2f}x")
        print(f"    page / bare {e['ratio_page']:.2f}x   (informational); its pieces:")
        for k, v in e["page_pieces_median_s"].items():
            print(f"      {k:16s} {ms(v)}")
        print("    each other tab, when opened (not before the first heatmap):")
        for k, v in e["tabs_pieces_median_s"].items():
            print(f"      {k:16s} {ms(v)}")
    print(f"  load average (1 min): {result['load_avg_1min_at_start']:.2f} at start, {result['load_avg_1min_at_end']:.2f} at end")
    print(f"saved {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
