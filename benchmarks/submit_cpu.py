"""Server CPU per submit on page 6: how much CPU time the `streamlit run` process spends on one Submit,
from the click until the feedback shows and the run is over. Not a load test (benchmarks/class_load.py
is): one student at a time, so the figure is the work of a submit, not of contention.

One server with a gradebook of its own (a fresh SQLite file, or PostgreSQL with --postgres URL) and the
repository's own assignments (lecture8: 13 exercises). One Chromium page signs in as a new student,
goes to exercise 2 and, on every exercise that takes a typed answer (2-9), submits a typical mistake
(the family's MISTAKES) and then the right answer (which shows the worked solution), then the next
student. Around each Submit the server's CPU time (every thread) is read before the click and after the
feedback shows and the page has settled; sign-in and moving between exercises are not counted. The
clock is the process's own CPU-time clock, in nanoseconds (every thread, ended ones included:
Streamlit runs each script run in a thread of its own), so each submit has a figure of its own: the
mean and the median per submit, and the median and the minimum of the means of batches of --batch
submits (what /proc/PID/stat's 10 ms ticks allowed; they are still the fallback). The server's idle CPU
(read over a few quiet seconds before) is printed beside them, with the share of it a submit's window
holds, and so is the share of the main thread (Streamlit's event loop: receiving the Submit, sending
the run's messages), from its /proc/PID/task/PID/schedstat.

With --profile the server runs under cProfile in every thread (benchmarks/profiled_streamlit.py),
collecting only during the submits (the thread CPU time of each function); the top entries are printed and the stats saved to
benchmarks/results/submit_cpu.prof (open with `python -m pstats`). Profiled CPU times are inflated by
the profiler: compare them with each other, and take the figure from a run without --profile.

    .venv/bin/python benchmarks/submit_cpu.py [--submits 48] [--batch 8] [--postgres URL] [--profile]
"""

from __future__ import annotations

import argparse
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checkout import revision
from common import REPO, harness, save

from exercises import assignments as assignment_files
from exercises import practice
from exercises.base import CORRECT, format_answer

ASSIGNMENT = "lecture8"
TICK_S = 1 / os.sysconf("SC_CLK_TCK")
PROFILE_TOP = 25
IDLE_S = 10.0  # the idle server's CPU is read over this long, once, after the first sign-in


def cpu_s(pid: int) -> float:
    """CPU seconds of a process, all its threads (living and ended), in nanoseconds: the process's own
    CPU-time clock (clock_getcpuclockid(3): the kernel's sum_exec_runtime of every thread, ended ones
    kept). Where that clock cannot be read, /proc/PID/stat's user + system time, in ticks of 10 ms."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED), as glibc's
    except OSError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * TICK_S


def main_thread_s(pid: int) -> float:
    """CPU seconds of the process's main thread (Streamlit's event loop: it receives the Submit and sends
    the run's messages; the script runs in threads of their own): /proc/PID/task/PID/schedstat, in ns."""
    try:
        return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return float("nan")


def answers(student: str, assignment) -> list[tuple[int, str, str]]:
    """(position, answer typed, text its feedback shows) for every exercise that takes a typed answer: a
    typical mistake first (where the student's variant allows one), then the right answer."""
    out = []
    for pos in range(assignment.size):
        ex = practice.exercise(student, assignment, pos)
        if ex.form()["kind"] == "choice":
            continue
        fam = ex.family
        wrong = next((w for w in (f(ex.params) for f in fam.MISTAKES.values()) if w is not None), None)
        if wrong is not None:  # some variants make no typical mistake possible (e.g. it gives the same answer)
            wrong = wrong if isinstance(wrong, str) else format_answer(wrong)
            fb = fam.grade(ex.params, wrong)
            assert fb.valid and not fb.correct, (fam.ID, wrong, fb)
            out.append((pos, wrong, fb.message[:30]))
        right = fam.solve(ex.params)
        out.append((pos, right if isinstance(right, str) else format_answer(right), CORRECT))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submits", type=int, default=48)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--postgres", help="a PostgreSQL URL for the gradebook (default: a fresh SQLite file)")
    parser.add_argument("--profile", action="store_true", help="run the server under cProfile (see above)")
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    assignment = next(a for a in assignment_files.load()[0] if a.id == ASSIGNMENT)
    tmp = Path(tempfile.mkdtemp(prefix="submit_cpu_"))
    prof_path = tmp / "server.prof"
    env = {"ATTENTION_LAB_DB": str(tmp / "gradebook.sqlite3"), "DATABASE_URL": args.postgres or "",
           "ATTENTION_LAB_CLASS_CODE": "", "ATTENTION_LAB_ROSTER": "", "PROFILE_OUT": str(prof_path)}
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp / "server.log"
    script = "streamlit_app.py"
    with open(log_path, "wb") as log:
        if args.profile:  # the same command as harness.start_streamlit, through the profiling wrapper
            proc = subprocess.Popen(
                [sys.executable, str(REPO / "benchmarks" / "profiled_streamlit.py"), "run", script,
                 "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"],
                cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **env})
        else:
            proc = harness.start_streamlit(script, REPO, port, log, env=env)
    windows: list[float] = []
    loop_windows: list[float] = []
    walls: list[float] = []
    try:
        harness.wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = harness.launch_chromium(p)
            blocked: list[str] = []
            context = harness.offline_context(browser, blocked)
            page = context.new_page()
            n_student = 0
            warm = True  # the first student's first submit is a warm-up (first import of a family, caches)
            idle_rate = None
            while len(windows) < args.submits:
                n_student += 1
                student = f"bench{n_student}-{os.getpid()}"
                plan = answers(student, assignment)
                page.goto(f"{url}/exercises?assignment={ASSIGNMENT}")
                page.get_by_label("Student id").fill(student)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_text("Signed in as")).to_be_visible(timeout=60_000)
                harness.wait_settled(page, quiet=0.3)
                if idle_rate is None:
                    t0, c0 = time.monotonic(), cpu_s(proc.pid)
                    time.sleep(IDLE_S)
                    idle_rate = (cpu_s(proc.pid) - c0) / (time.monotonic() - t0)
                at = 0
                for pos, typed, needle in plan:
                    while at < pos:
                        page.get_by_role("button", name="Next exercise ▶").click()
                        at += 1
                        expect(page.locator(f".st-key-ex_in_{ASSIGNMENT}_{at}")).to_be_visible(timeout=60_000)
                        harness.wait_settled(page, quiet=0.3)
                    box = page.locator(f".st-key-ex_in_{ASSIGNMENT}_{pos}").locator("input, textarea")
                    box.fill(typed)
                    if args.profile and not warm:
                        proc.send_signal(signal.SIGUSR1)  # collect during this submit only
                        time.sleep(0.05)
                    before, loop_before, t_before = cpu_s(proc.pid), main_thread_s(proc.pid), time.monotonic()
                    page.get_by_role("button", name="Submit").click()
                    expect(page.locator('[data-testid="stAlert"]', has_text=needle).first).to_be_visible(
                        timeout=60_000)
                    harness.wait_settled(page, quiet=0.3)
                    used, wall = cpu_s(proc.pid) - before, time.monotonic() - t_before
                    loop_used = main_thread_s(proc.pid) - loop_before
                    if args.profile:
                        proc.send_signal(signal.SIGUSR2)
                    if warm:
                        warm = False
                    else:
                        windows.append(used)
                        loop_windows.append(loop_used)
                        walls.append(wall)
                    if len(windows) >= args.submits:
                        break
            if args.profile:
                proc.send_signal(signal.SIGHUP)
                deadline = time.monotonic() + 30
                while not prof_path.exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
            browser.close()
        assert not blocked, blocked
    finally:
        harness.stop(proc)
    text = log_path.read_text(errors="replace")
    if "Traceback" in text:
        print(text[-4000:])

    batches = [sum(windows[i:i + args.batch]) / len(windows[i:i + args.batch])
               for i in range(0, len(windows) - args.batch + 1, args.batch)]
    result = {"submits": len(windows), "batch": args.batch, "gradebook": "postgresql" if args.postgres else "sqlite",
              "profiled": args.profile,
              "server_cpu_ms_per_submit_mean": 1000 * sum(windows) / len(windows),
              "server_cpu_ms_per_submit_median": 1000 * statistics.median(windows),
              "event_loop_cpu_ms_per_submit_mean": 1000 * sum(loop_windows) / len(loop_windows),
              "server_cpu_ms_per_submit_batch_median": 1000 * statistics.median(batches),
              "server_cpu_ms_per_submit_batch_min": 1000 * min(batches),
              "batch_means_ms": [round(1000 * b, 1) for b in batches],
              "idle_server_cpu_ms_per_s": 1000 * idle_rate, "window_s_mean": statistics.mean(walls),
              "idle_cpu_ms_per_window_est": 1000 * idle_rate * statistics.mean(walls),
              "load_avg_1m": os.getloadavg()[0],
              "revision": revision()}
    print(f"server CPU per submit ({result['gradebook']}, {len(windows)} submits{', PROFILED' if args.profile else ''}): "
          f"mean {result['server_cpu_ms_per_submit_mean']:.1f} ms, median {result['server_cpu_ms_per_submit_median']:.1f} ms, "
          f"of it the event loop (main thread) {result['event_loop_cpu_ms_per_submit_mean']:.1f} ms; "
          f"batches of {args.batch}: median "
          f"{result['server_cpu_ms_per_submit_batch_median']:.1f} ms, min {result['server_cpu_ms_per_submit_batch_min']:.1f} ms "
          f"{result['batch_means_ms']}; idle server {result['idle_server_cpu_ms_per_s']:.1f} ms/s over {IDLE_S:.0f} s, "
          f"{result['idle_cpu_ms_per_window_est']:.1f} ms of it in a submit's {result['window_s_mean']:.2f} s; "
          f"load average {result['load_avg_1m']:.2f}")
    if args.profile and prof_path.exists():
        out = REPO / "benchmarks" / "results" / "submit_cpu.prof"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(prof_path.read_bytes())
        stats = pstats.Stats(str(out))
        print(f"\nprofile of {len(windows)} submits (cumulative, per submit; saved to {out}):")
        stats.sort_stats("cumulative").print_stats(PROFILE_TOP)
        stats.sort_stats("tottime").print_stats(PROFILE_TOP)
    save("submit_cpu_profiled" if args.profile else "submit_cpu", result)


if __name__ == "__main__":
    main()
