#!/usr/bin/env python
"""Class load: simulated students submitting on page 6 through Streamlit's own websocket protocol, no browser.

    benchmarks/class_load.py --students N --shape arrival|burst --seconds T [--processes K | --url URL] [--json PATH]

Each student (benchmarks/class_students.py, a locust User) opens /exercises, signs in (roster id and
personal code; --signin class-code for the shared code), picks the assignment and submits its answers
through the page's own widgets (found by label in the page's messages; ids from the elements).
Shapes (locust LoadTestShapes, run by locust's local runner):
  arrival  N students arrive evenly over T seconds, each answers 5 exercises with think time between
  burst    N students sign in first (untimed), then submit one answer each within --window seconds (10)
Reported (printed, and as JSON in benchmarks/results/ or --json): p50/p95/p99 of Submit -> feedback
alert, submits per second, the attempts read back from the gradebook (each acknowledged submission
stored exactly once; lost; doubled), the server's CPU per submit (psutil, all its processes), the load
average. It starts the server it measures (one app process, SQLite, or K processes behind HAProxy with a
PostgreSQL of its own) unless --url names a running one (--database-url then reads the attempts back).
--live EVERY keeps the live view (/live) open on a simulated projector through the run; with --pairs N, the
run is made 2N times, without and with the view in ABBA order (benchmarks/class_pairs.py). Each run also
reports where the server's CPU went (its main thread apart, the SQLite -wal file, --profile PATH) and how
late the load generator's own loop woke (benchmarks/class_probe.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import locust  # noqa: F401  (first: gevent patches the standard library before anything opens a socket)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gevent  # noqa: E402
from locust.env import Environment  # noqa: E402

from benchmarks.checkout import revision  # noqa: E402
from benchmarks.class_pairs import run_pairs  # noqa: E402
from benchmarks.class_probe import LoopLag, WalWatch, during_refreshes, main_thread_cpu, profile_dump, profile_start  # noqa: E402
from benchmarks.class_server import class_server, cpu_seconds, kill_one_app  # noqa: E402
from benchmarks.class_students import Arrival, Burst, Class, Student, projector  # noqa: E402
from benchmarks.common import RESULTS, machine  # noqa: E402
from exercises import assignments as assignment_files  # noqa: E402
from exercises.store import Store  # noqa: E402

KEYS = ("p50_s", "p95_s", "p99_s", "submits_per_s", "acknowledged", "stored_once", "lost", "doubled",
        "server_cpu_ms_per_submit")


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def read_back(database_url: str, assignment_id: str, submitted: list[dict]) -> dict:
    """Every acknowledged submission must be in the gradebook exactly once, with the answer typed."""
    store = Store(database_url)
    try:
        rows: dict[str, list] = {}
        for sid in sorted({s["student"] for s in submitted}):
            rows[sid] = store.attempts(sid, assignment_id)
    finally:
        store.close()
    once = lost = doubled = as_typed = unacked_stored = 0
    for s in submitted:
        found = [a for a in rows[s["student"]] if a.position == s["position"]]
        if s["acknowledged"]:
            once += len(found) == 1
            lost += not found
            doubled += len(found) > 1
            as_typed += len(found) == 1 and found[0].answer == s["answer"] and found[0].mistake == s["mistake"]
        else:
            unacked_stored += len(found)
    return {"stored_once": once, "lost": lost, "doubled": doubled, "stored_as_typed": as_typed,
            "stored_unacknowledged": unacked_stored, "rows": sum(len(r) for r in rows.values())}


def kill_later(room, args, app_pids: list[int], out: dict) -> None:
    """kill -9 one app process --kill-one-at seconds after the start (arrival) or after the burst's instant."""
    t0 = time.time()
    if args.shape == "burst":
        room.fire.wait()
        t0 = room.fire_at
    gevent.sleep(max(0.0, t0 + args.kill_one_at - time.time()))
    pid, cpu = kill_one_app(app_pids) or (None, 0.0)
    out.update(pid=pid, cpu_s=cpu, at_s=round(time.time() - t0, 3),
               after="the burst's instant" if args.shape == "burst" else "the start")


def run(args) -> dict:
    tag = uuid.uuid4().hex[:6]  # new ids every run: a PostgreSQL gradebook outlives it
    students = [f"s{i:03d}-{tag}" for i in range(args.students)]
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="class-load-") as tmp:
        tmp = Path(tmp)
        if args.url:
            server = {"url": args.url.rstrip("/"), "database_url": args.database_url, "app_pids": args.server_pid,
                      "db_pids": [], "gradebook": "given", "log": None,
                      "password": os.environ.get("ATTENTION_LAB_INSTRUCTOR_PASSWORD", ""),
                      "codes": dict.fromkeys(students, args.class_code), "sqlite": None}
            if args.signin == "roster":
                raise SystemExit("--url with --signin roster: make the codes on that server yourself; use "
                                 "--signin class-code --class-code CODE")
            folder = Path(args.assignments)
            server_cm = None
        else:
            server_cm = class_server(args.processes, students, args.signin, args.database_url, tmp,
                                     postgres=args.gradebook == "postgresql", profile=args.profile)
            server = server_cm.__enter__()
            folder = tmp / "assignments"
        try:
            found, problems = assignment_files.load(folder)
            by_id = {a.id: a for a in found}
            if args.assignment not in by_id:
                raise SystemExit(f"no assignment {args.assignment!r} in {folder} (found {sorted(by_id)}); "
                                 f"name one with --assignment")
            assignment = by_id[args.assignment]
            exercises = 1 if args.shape == "burst" else min(args.exercises, assignment.size)
            room = Class(server["url"], assignment, [(s, server["codes"][s]) for s in students], args.signin,
                         args.shape, exercises, tuple(args.think), args.window)
            Student.room, Student.host = room, server["url"]
            deadline = args.seconds + args.timeout
            shape = (Arrival(room, args.seconds, deadline) if args.shape == "arrival"
                     else Burst(room, args.setup_rate, deadline))
            env = Environment(user_classes=[Student], shape_class=shape)
            runner = env.create_local_runner()
            print(f"{args.students} students, {args.shape}, {server['url']} ({server['gradebook']} gradebook, "
                  f"{args.processes if not args.url else '?'} process(es)); load {load_start[0]:.2f}", flush=True)
            cpu0, db0, t0 = cpu_seconds(server["app_pids"]), cpu_seconds(server["db_pids"], reaped=True), time.time()
            gen0 = time.process_time()
            main0 = main_thread_cpu(server["app_pids"])
            wal = WalWatch(server["sqlite"])
            watcher = gevent.spawn(wal.run)
            lag = LoopLag()
            lagger = gevent.spawn(lag.run)
            if args.profile and args.shape == "arrival":
                profile_start(server["app_pids"])
            burst_cpu, sampler, samples = None, None, []
            live: dict = {}
            screen = (gevent.spawn(projector, server["url"], server["password"], assignment.id, args.live, live)
                      if args.live else None)
            killed: dict = {}
            killer = gevent.spawn(kill_later, room, args, server["app_pids"], killed) if args.kill_one_at else None
            runner.start_shape()
            while runner.shape_greenlet is not None:  # the shape stops the runner when every student is done
                gevent.sleep(0.5)
                if args.shape == "burst" and room.fire.is_set() and burst_cpu is None:
                    burst_cpu = (cpu_seconds(server["app_pids"]), cpu_seconds(server["db_pids"], reaped=True),
                                 time.process_time(), time.time())
                    sampler = gevent.spawn(sample_cpu, server, samples)
                    if args.profile:  # the submits alone, as the CPU figure
                        profile_start(server["app_pids"])
            runner.quit()
            if sampler is not None:
                sampler.kill()
            if screen is not None:
                screen.kill()
            if killer is not None:
                killer.kill()
            cpu1, db1, t1 = cpu_seconds(server["app_pids"]), cpu_seconds(server["db_pids"], reaped=True), time.time()
            main1 = main_thread_cpu(server["app_pids"])
            watcher.kill()
            lagger.kill()
            profiled = profile_dump(server["app_pids"], args.profile) if args.profile else None
            cpu1 += killed.get("cpu_s", 0.0)  # the killed process's CPU up to its death
            gen_end = time.process_time()
            gen_cpu = gen_end - gen0
            load_end = os.getloadavg()
            back = (read_back(server["database_url"], assignment.id, room.submitted) if server["database_url"]
                    else {"stored_once": None, "lost": None, "doubled": None})
            log_text = server["log"].read_text(errors="replace") if server["log"] else ""
        finally:
            if server_cm is not None:
                server_cm.__exit__(None, None, None)

    acked = [s for s in room.submitted if s["acknowledged"]]
    times = sorted(s["feedback_s"] for s in acked if s["feedback_s"] is not None)  # not those recovered untimed
    window = (room.last_feedback - room.first_submit) if acked else None
    if args.shape == "burst" and burst_cpu:  # the submits alone: from the instant all were signed in
        app_cpu, db_cpu = cpu1 - burst_cpu[0], db1 - burst_cpu[1]
        # the machine's share from the last sample before the first press to the first after the last feedback
        # (samples every 0.1 s; the burst's instant comes up to 1.5 s before the presses, the run's end ~1 s after)
        start = next((x for x in reversed(samples) if room.first_submit and x[0] <= room.first_submit),
                     (burst_cpu[3], *burst_cpu[:3]))
        end = next((x for x in samples if room.last_feedback and x[0] >= room.last_feedback),
                   (t1, cpu1, db1, gen_end))
        span, busy = end[0] - start[0], sum(end[i] - start[i] for i in (1, 2, 3))
        gen_span = end[3] - start[3]
    else:  # arrival: everything the students cost, opening the page and signing in included
        app_cpu, db_cpu = cpu1 - cpu0, db1 - db0
        span, gen_span = t1 - t0, gen_cpu
        busy = app_cpu + db_cpu + gen_cpu
    stats = env.stats.get("submit", "WS")
    result = {
        "command": " ".join(sys.argv), "code": revision(), "shape": args.shape, "students": args.students,
        "seconds": args.seconds, "window_s": args.window if args.shape == "burst" else None,
        "exercises_each": exercises, "processes": None if args.url else args.processes,
        "url": args.url, "gradebook": server["gradebook"], "signin": args.signin,
        "p50_s": quantile(times, 0.5), "p95_s": quantile(times, 0.95), "p99_s": quantile(times, 0.99),
        "max_s": times[-1] if times else None,
        "run_p95_s": quantile(sorted(s["run_s"] for s in acked if s["feedback_s"] is not None), 0.95),
        "locust_p95_s": stats.get_response_time_percentile(0.95) / 1000 if stats.num_requests else None,
        "submits": len(room.submitted), "acknowledged": len(acked),
        "press_span_s": (max(s["pressed_at"] for s in room.submitted) - min(s["pressed_at"] for s in room.submitted)
                         if room.submitted else None),
        "submits_per_s": len(acked) / window if window else None, "submit_span_s": window,
        **back,
        "server_cpu_ms_per_submit": (app_cpu + db_cpu) * 1000 / len(acked) if acked and server["app_pids"] else None,
        "server_cpu_s": {"app": app_cpu, "database": db_cpu,
                         "app_main_thread": None if main0 is None or main1 is None else main1 - main0,
                         "counted": "from the burst's instant" if args.shape == "burst" and burst_cpu
                         else "the whole run: opening the page and signing in included"},
        "live_view": None if not args.live else {
            "every_s": args.live, "refreshes": len(live.get("refreshes", [])), "error": live.get("error"),
            "refresh_p50_s": quantile(sorted(live.get("refreshes", [])), 0.5),
            "refresh_p95_s": quantile(sorted(live.get("refreshes", [])), 0.95),
            "messages_per_refresh": quantile(sorted(live.get("messages", [])), 0.5), "full_runs": live.get("full_runs"),
            "submits_during_refreshes": during_refreshes(acked, live.get("windows", []), quantile),
            "windows": [[round(a - t0, 3), round(b - t0, 3)] for a, b in live.get("windows", [])]},
        "sqlite_wal": wal.summary(), "profile": str(args.profile) if profiled else None,
        "killed": killed or None, "reconnects": len(room.reconnects),
        "recovered_after_reconnect": sum(bool(s.get("recovered")) for s in room.submitted),
        "reconnect_p95_s": (env.stats.get("reconnect+sign in", "WS").get_response_time_percentile(0.95) / 1000
                            if env.stats.get("reconnect+sign in", "WS").num_requests else None), "reconnect_examples": room.reconnects[:5],
        "loadgen_cpu_s": gen_cpu, "loadgen_loop_lag": lag.summary(), "wall_s": t1 - t0,
        # the machine's CPUs over the counted span: how much the servers, the database and the simulated students
        # took together (near 1: the run was bound by this machine, not by the servers' own limits)
        "cpu_share": {"span_s": span, "loadgen_s": gen_span, "cpus": os.cpu_count(),
                      "busy": busy / (span * (os.cpu_count() or 1)) if span > 0 else None},
        "load_avg": {"start": load_start, "end": load_end},
        "errors": len(room.errors), "error_examples": room.errors[:5],
        "signin_p50_s": (env.stats.get("open+sign in", "WS").get_response_time_percentile(0.5) / 1000
                         if env.stats.get("open+sign in", "WS").num_requests else None),
        "server_log_tracebacks": log_text.count("Traceback"),
        "machine": machine(),
        "timeline": [[round(s["pressed_at"] - t0, 3), s["position"], s["feedback_s"] and round(s["feedback_s"], 4)]
                     for s in room.submitted],  # each press: seconds from the run's start, exercise, to feedback
    }
    return result


def sample_cpu(server: dict, out: list, every: float = 0.1) -> None:
    """(time, app CPU, database CPU, this process's CPU) every `every` s, from the burst's instant on."""
    while True:
        out.append((time.time(), cpu_seconds(server["app_pids"]), cpu_seconds(server["db_pids"], reaped=True),
                    time.process_time()))
        gevent.sleep(every)


def show(r: dict) -> None:
    def s(v):
        return "-" if v is None else f"{v:.3f} s"
    print(f"\n{r['students']} students, {r['shape']} ("
          f"{'within ' + str(r['window_s']) if r['shape'] == 'burst' else 'over ' + str(r['seconds'])} s), "
          f"{r['exercises_each']} exercise(s) each, {r['gradebook']} gradebook, {r['processes']} process(es)")
    print(f"  Submit -> feedback: p50 {s(r['p50_s'])}, p95 {s(r['p95_s'])}, p99 {s(r['p99_s'])}, max {s(r['max_s'])}"
          f" (locust's p95 {s(r['locust_p95_s'])}; to the run's end p95 {s(r['run_p95_s'])})")
    sps = r["submits_per_s"]
    print(f"  acknowledged {r['acknowledged']}/{r['submits']} submits, "
          f"{'-' if sps is None else f'{sps:.1f}'} per second over {s(r['submit_span_s'])} (presses spread over "
          f"{s(r['press_span_s'])})")
    print(f"  gradebook: {r['stored_once']} stored exactly once, {r['lost']} lost, {r['doubled']} doubled, "
          f"{r.get('stored_as_typed')} as typed")
    cpu = r["server_cpu_ms_per_submit"]
    print(f"  server CPU per submit: {'-' if cpu is None else f'{cpu:.1f} ms'} ({r['server_cpu_s']['counted']}); "
          f"load generator CPU {r['loadgen_cpu_s']:.1f} s")
    if (share := r.get("cpu_share")) and share["busy"] is not None:
        print(f"  the machine's {share['cpus']} CPUs, {share['span_s']:.1f} s from the first press to the last "
              f"feedback (arrival: the whole run): {share['busy']:.0%} busy, the load generator's {share['loadgen_s']:.2f} s "
              f"of CPU included")
    if lag := r.get("loadgen_loop_lag"):
        print(f"  the load generator's loop woke late by p50 {s(lag['p50_s'])}, p95 {s(lag['p95_s'])}, max {s(lag['max_s'])}"
              f" ({lag['late_50ms_s']:.1f} s in all in wakes over 50 ms late)")
    main, wal = r["server_cpu_s"].get("app_main_thread"), r.get("sqlite_wal")
    if main is not None or wal:
        wal_text = "-" if not wal else f"max {wal['max_bytes'] / 1e6:.1f} MB, at the end {wal['end_bytes'] / 1e6:.1f} MB"
        print(f"  server's main thread (event loop): {'-' if main is None else f'{main:.1f} s'} of its CPU, whole run;"
              f" SQLite -wal file {wal_text}{'; profile ' + r['profile'] if r.get('profile') else ''}")
    print(f"  load average {r['load_avg']['start'][0]:.2f} at the start, {r['load_avg']['end'][0]:.2f} at the end;"
          f" errors {r['errors']}; server tracebacks {r['server_log_tracebacks']}")
    if r["live_view"]:
        lv = r["live_view"]
        print(f"  live view open (every {lv['every_s']} s): {lv['refreshes']} refreshes, p50 {s(lv['refresh_p50_s'])}, "
              f"p95 {s(lv['refresh_p95_s'])}, {lv['messages_per_refresh']} messages each (median), "
              f"{lv['full_runs']} ran the whole page{'; ERROR ' + lv['error'] if lv['error'] else ''}")
        if d := lv.get("submits_during_refreshes"):
            print(f"  submits pressed near a refresh ({d['lead_s']} s before it to its end): {d['near']}, p50 "
                  f"{s(d['near_p50_s'])}, p95 {s(d['near_p95_s'])}; the others: {d['others']}, p50 "
                  f"{s(d['others_p50_s'])}, p95 {s(d['others_p95_s'])}")
    if r["killed"]:
        print(f"  killed app process {r['killed']['pid']} {r['killed']['at_s']} s after {r['killed']['after']}; "
              f"{r['reconnects']} students reconnected and went on (reconnect and sign in again: p95 "
              f"{s(r['reconnect_p95_s'])}); {r['recovered_after_reconnect']} found their answer stored and shown")
    for e in r["error_examples"]:
        print(f"    {e}")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, required=True)
    ap.add_argument("--shape", choices=("arrival", "burst"), required=True)
    ap.add_argument("--seconds", type=float, default=60, help="arrival: the students arrive over T seconds (60)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--processes", type=int, default=1, help="app processes to start (1: SQLite; K>1: HAProxy"
                       " and a PostgreSQL of its own)")
    where.add_argument("--url", help="measure a running server instead (http://127.0.0.1:PORT)")
    ap.add_argument("--json", type=Path, help="where to write the result (default benchmarks/results/"
                    "class_load_<shape>_<N>.json)")
    ap.add_argument("--gradebook", choices=("sqlite", "postgresql"), default="sqlite", help="one process: a new "
                    "SQLite file (default) or a PostgreSQL of its own (K>1 always uses PostgreSQL)")
    ap.add_argument("--database-url", help="the gradebook to use (instead of a new one) or read back (--url)")
    ap.add_argument("--server-pid", type=int, action="append", default=[], help="with --url: the server's pids, "
                    "for its CPU")
    ap.add_argument("--signin", choices=("roster", "class-code"), default="roster")
    ap.add_argument("--class-code", default="", help="with --url --signin class-code")
    ap.add_argument("--assignment", default="load")
    ap.add_argument("--assignments", default=str(Path(__file__).resolve().parents[1] / "assignments"),
                    help="with --url: the server's assignments folder (to compute the answers)")
    ap.add_argument("--exercises", type=int, default=5, help="arrival: exercises each student answers (5)")
    ap.add_argument("--think", type=float, nargs=2, default=(3.0, 12.0), metavar=("MIN", "MAX"),
                    help="arrival: seconds of thought before each submit, uniform (3 12)")
    ap.add_argument("--window", type=float, default=10.0, help="burst: the submits spread over this many seconds "
                    "(10; 0 = the same instant)")
    ap.add_argument("--setup-rate", type=float, default=10.0, help="burst: students opening and signing in per "
                    "second before the burst (10)")
    ap.add_argument("--live", type=int, default=0, metavar="EVERY", help="keep the live view (/live?every=EVERY) "
                    "open on a projector through the run, signed in with the dashboard's password (with --url: "
                    "ATTENTION_LAB_INSTRUCTOR_PASSWORD in this environment)")
    ap.add_argument("--kill-one-at", type=float, metavar="S", help="--processes K>1: kill -9 one app process S "
                    "seconds after the start (burst: after its instant); its students reconnect, sign in again and "
                    "submit again what had no feedback")
    ap.add_argument("--profile", type=Path, metavar="PATH", help="one process: run the server under cProfile "
                    "(benchmarks/profiled_streamlit.py, every thread) through the run (burst: from its instant, "
                    "as the CPU figure) and write it to PATH (pstats)")
    ap.add_argument("--pairs", type=int, default=0, metavar="N", help="with --live: N pairs of runs without and "
                    "with the view, alternating (benchmarks/class_pairs.py: each pair's ratios, their median, the "
                    "noise floor)")
    ap.add_argument("--timeout", type=float, default=300.0, help="give up this long after --seconds (300)")
    args = ap.parse_args(argv)
    if args.signin == "class-code" and args.url and not args.class_code:
        ap.error("--url --signin class-code needs --class-code")
    if args.kill_one_at is not None and (args.url or args.processes < 2):
        ap.error("--kill-one-at needs --processes 2 or more (the students go on on the others)")
    if args.url and args.url.split("/")[2].split(":")[0] not in ("127.0.0.1", "localhost"):
        ap.error("load goes to 127.0.0.1 only: --url http://127.0.0.1:PORT")
    if args.pairs:
        if not args.live or args.url or args.profile:
            ap.error("--pairs N needs --live EVERY (and no --url or --profile): it starts each run's server itself")
        return run_pairs(sys.argv[1:] if argv is None else argv, args.pairs, args.live,
                         args.json or RESULTS / f"class_load_live_pairs_{args.shape}_{args.students}.json")
    result = run(args)
    path = args.json or RESULTS / f"class_load_{args.shape}_{args.students}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": "class_load", "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **result},
                               indent=2) + "\n")
    show(result)
    print(f"saved {path}")
    return result


if __name__ == "__main__":
    main()
