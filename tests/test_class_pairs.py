"""benchmarks/class_pairs.py: the ABBA order of the runs, the options each run gets, and the ratios (each
pair's, their medians, the pooled p95s, the noise floor), checked against figures worked out by hand."""

from __future__ import annotations

import statistics

import pytest

from benchmarks.class_pairs import order, strip, summarize


def test_the_order_alternates_which_side_runs_first():
    assert order(1) == [False, True]
    assert order(3) == [False, True, True, False, False, True]
    assert sum(order(4)) == 4  # as many runs with the view as without


def test_each_run_gets_the_command_without_the_pairs_own_options():
    argv = ["--students", "300", "--live", "3", "--pairs=4", "--shape", "arrival", "--json", "x.json", "--seconds", "60"]
    assert strip(argv, "--pairs", "--live", "--json") == ["--students", "300", "--shape", "arrival", "--seconds", "60"]


def run(live: bool, p95: float, p50: float, cpu: float, times: list[float], gen: float = 7.0) -> dict:
    return {"live": live, "p95_s": p95, "p50_s": p50, "cpu_ms": cpu, "times": times, "loadgen_cpu_s": gen}


def test_the_ratios_by_hand():
    runs = [run(False, 0.20, 0.05, 30.0, [0.1] * 19 + [1.0]),  # pair 1: off, on
            run(True, 0.22, 0.05, 31.5, [0.1] * 19 + [2.0], gen=7.7),  # the machine 10% slower
            run(True, 0.30, 0.06, 33.0, [0.2] * 20),  # pair 2: on, off
            run(False, 0.40, 0.06, 33.0, [0.2] * 20)]
    s = summarize(runs)
    assert [p["p95_ratio"] for p in s["pairs"]] == pytest.approx([1.1, 0.75])
    assert [p["cpu_ratio"] for p in s["pairs"]] == pytest.approx([1.05, 1.0])
    assert s["median_p95_ratio"] == pytest.approx((1.1 + 0.75) / 2)
    assert s["median_cpu_ratio"] == pytest.approx(1.025)
    assert [p["cpu_vs_loadgen_ratio"] for p in s["pairs"]] == pytest.approx([1.05 / 1.1, 1.0])
    assert s["median_cpu_vs_loadgen_ratio"] == pytest.approx((1.05 / 1.1 + 1.0) / 2)
    assert s["median_p50_ratio"] == pytest.approx(1.0)
    # the noise floor: runs 2 and 3 are both "on" and differ only in when they ran
    assert [f["runs"] for f in s["noise_floor"]] == [[1, 2]]
    assert s["noise_floor_p95_ratios"] == pytest.approx([0.30 / 0.22])
    # pooled: every submit of a side, then its p95 (statistics' inclusive method, as class_load.py)
    off = sorted([0.1] * 19 + [1.0] + [0.2] * 20)
    on = sorted([0.1] * 19 + [2.0] + [0.2] * 20)
    p95 = lambda xs: statistics.quantiles(xs, n=100, method="inclusive")[94]  # noqa: E731
    assert s["pooled_p95_off_s"] == pytest.approx(p95(off))
    assert s["pooled_p95_on_s"] == pytest.approx(p95(on))
    assert s["pooled_p95_ratio"] == pytest.approx(p95(on) / p95(off))


def test_a_run_without_feedback_times_gives_no_ratio():
    s = summarize([run(False, None, None, None, []), run(True, 0.2, 0.1, 30.0, [0.2, 0.3])])
    assert s["pairs"][0]["p95_ratio"] is None and s["median_p95_ratio"] is None
