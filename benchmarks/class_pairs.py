"""The live view on or off, in pairs: `class_load.py ... --live EVERY --pairs N` runs the same command 2N
times, without and with the view open, in the order without, with, with, without, without, with, ...
(ABBA: a drift of the machine that grows steadily through the runs weighs on both sides alike), each run a
`class_load.py` of its own (a new server, a new gradebook). Reported: each pair's ratios with/without
(p95, p50, server CPU per submit, and that over the load generator's own CPU ratio: the load generator
does the same work either way, so its CPU seconds rising says the machine, not the server, got slower),
their medians, the p95 of all the submits of each side pooled, and the
noise floor: the ratios between neighbouring runs of the same side (runs 2 and 3, 4 and 5, ...), which
differ in nothing but the time they ran. A ratio inside that floor says nothing.

JSON: benchmarks/results/class_load_live_pairs_<shape>_<N>.json (or --json PATH), every run's figures in it;
each run's own JSON beside it (..._run1.json, ...).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def order(pairs: int) -> list[bool]:
    """True where the live view is open: (off, on), (on, off), (off, on), ..."""
    return [side for k in range(pairs) for side in ((False, True) if k % 2 == 0 else (True, False))]


def strip(argv: list[str], *options: str) -> list[str]:
    """argv without these options and their values (--opt V or --opt=V)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in options:
            skip = True
        elif not any(a.startswith(o + "=") for o in options):
            out.append(a)
    return out


def ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def p95(times: list[float]) -> float | None:
    times = sorted(t for t in times if t is not None)
    return statistics.quantiles(times, n=100, method="inclusive")[94] if len(times) > 1 else None


def summarize(runs: list[dict]) -> dict:
    """Pairs, their ratios, the pooled p95s and the noise floor, from the runs in the order they ran."""
    pairs = []
    for k in range(0, len(runs) - 1, 2):
        off, on = sorted(runs[k:k + 2], key=lambda r: r["live"])
        pairs.append({"runs": [k, k + 1], "p95_off_s": off["p95_s"], "p95_on_s": on["p95_s"],
                      "p95_ratio": ratio(on["p95_s"], off["p95_s"]), "p50_ratio": ratio(on["p50_s"], off["p50_s"]),
                      "cpu_ms_off": off["cpu_ms"], "cpu_ms_on": on["cpu_ms"],
                      "cpu_ratio": ratio(on["cpu_ms"], off["cpu_ms"]),
                      "loadgen_cpu_ratio": ratio(on.get("loadgen_cpu_s"), off.get("loadgen_cpu_s")),
                      "cpu_vs_loadgen_ratio": ratio(ratio(on["cpu_ms"], off["cpu_ms"]),
                                                    ratio(on.get("loadgen_cpu_s"), off.get("loadgen_cpu_s")))})
    floor = [{"runs": [k, k + 1], "live": runs[k]["live"], "p95_ratio": ratio(runs[k + 1]["p95_s"], runs[k]["p95_s"]),
              "cpu_ratio": ratio(runs[k + 1]["cpu_ms"], runs[k]["cpu_ms"])}
             for k in range(1, len(runs) - 1, 2) if runs[k]["live"] == runs[k + 1]["live"]]
    pooled = {side: p95([t for r in runs if r["live"] == on for t in r["times"]]) for side, on in (("off", False),
                                                                                                  ("on", True))}
    return {"pairs": pairs, "median_p95_ratio": median([p["p95_ratio"] for p in pairs]),
            "median_p50_ratio": median([p["p50_ratio"] for p in pairs]),
            "median_cpu_ratio": median([p["cpu_ratio"] for p in pairs]),
            "median_cpu_vs_loadgen_ratio": median([p["cpu_vs_loadgen_ratio"] for p in pairs]),
            "pooled_p95_off_s": pooled["off"], "pooled_p95_on_s": pooled["on"],
            "pooled_p95_ratio": ratio(pooled["on"], pooled["off"]),
            "noise_floor": floor, "noise_floor_p95_ratios": [f["p95_ratio"] for f in floor]}


def run_pairs(argv: list[str], pairs: int, every: int, out: Path) -> dict:
    base = strip(argv, "--pairs", "--live", "--json", "--profile")
    runs = []
    out.parent.mkdir(parents=True, exist_ok=True)
    for i, live in enumerate(order(pairs)):
        path = out.parent / f"{out.stem}_run{i + 1}.json"  # beside the pairs' own JSON
        cmd = [sys.executable, str(HERE / "class_load.py"), *base, "--live", str(every if live else 0), "--json", str(path)]
        print(f"run {i + 1} of {2 * pairs}: live view {'open' if live else 'closed'}; load {os.getloadavg()[0]:.2f}",
              flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"run {i + 1} failed ({done.returncode}):\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
        r = json.loads(path.read_text())
        runs.append({"live": live, "p95_s": r["p95_s"], "p50_s": r["p50_s"], "cpu_ms": r["server_cpu_ms_per_submit"],
                     "main_thread_s": r["server_cpu_s"].get("app_main_thread"), "loadgen_cpu_s": r["loadgen_cpu_s"], "stored_once": r["stored_once"],
                     "acknowledged": r["acknowledged"], "lost": r["lost"], "doubled": r["doubled"],
                     "refreshes": (r["live_view"] or {}).get("refreshes"), "load_avg": r["load_avg"],
                     "when": r["when"], "json": str(path), "times": [t[2] for t in r["timeline"]]})
        print(f"  p95 {r['p95_s']:.3f} s, server CPU per submit {r['server_cpu_ms_per_submit']:.1f} ms, "
              f"{r['stored_once']} of {r['acknowledged']} stored once", flush=True)
    result = {"benchmark": "class_load_live_pairs", "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "command": " ".join([sys.argv[0], *argv]), "every_s": every, "pairs_asked": pairs,
              **summarize(runs), "runs": [{k: v for k, v in r.items() if k != "times"} for r in runs]}
    out.write_text(json.dumps(result, indent=2) + "\n")
    show(result)
    print(f"saved {out}")
    return result


def show(r: dict) -> None:
    def pct(x):
        return "-" if x is None else f"{(x - 1) * 100:+.0f}%"
    print(f"\nthe live view (every {r['every_s']} s) open against closed, {len(r['pairs'])} pairs (ABBA order):")
    for p in r["pairs"]:
        print(f"  runs {p['runs'][0] + 1}-{p['runs'][1] + 1}: p95 {p['p95_off_s']:.3f} -> {p['p95_on_s']:.3f} s "
              f"({pct(p['p95_ratio'])}); server CPU per submit {p['cpu_ms_off']:.1f} -> {p['cpu_ms_on']:.1f} ms "
              f"({pct(p['cpu_ratio'])}; load generator's CPU {pct(p['loadgen_cpu_ratio'])})")
    print(f"  median of the pairs: p95 {pct(r['median_p95_ratio'])}, p50 {pct(r['median_p50_ratio'])}, "
          f"CPU per submit {pct(r['median_cpu_ratio'])}, the same over the load generator's CPU (the same work "
          f"either way: the machine's own drift taken out) {pct(r['median_cpu_vs_loadgen_ratio'])}")
    if r["pooled_p95_on_s"] is not None:
        print(f"  every submit of each side pooled: p95 {r['pooled_p95_off_s']:.3f} -> {r['pooled_p95_on_s']:.3f} s "
              f"({pct(r['pooled_p95_ratio'])})")
    print("  noise floor (neighbouring runs of the same side): p95 "
          + (", ".join(pct(x) for x in r["noise_floor_p95_ratios"]) or "- (needs 2 pairs or more)"))
