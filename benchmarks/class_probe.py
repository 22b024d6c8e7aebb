"""What benchmarks/class_load.py watches on the server besides its CPU, to say where that CPU goes:

- the main thread's CPU apart (Streamlit's event loop: websockets, sending every message, the session
  manager) from the rest (the script runs' threads, the watchdog): /proc/PID/task/PID/schedstat, in ns;
- the SQLite gradebook's write-ahead log (gradebook.sqlite3-wal): its size sampled every half second
  (a reader that holds a snapshot open keeps checkpoints from restarting it, and the log grows);
- with the live view open, the submits pressed near a refresh of it (from LEAD_S before it was sent until
  it ended) against the others: the same run, so no drift of the machine between them;
- with --profile PATH, the server runs under benchmarks/profiled_streamlit.py (cProfile in every thread):
  collection starts with the run (SIGUSR1) and the profile is written at its end (SIGHUP).

Linux only (/proc); elsewhere the figures are None.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import gevent
import psutil


def main_thread_cpu(pids: list[int]) -> float | None:
    """CPU seconds of the main threads of these processes and their children (schedstat: ns on a CPU)."""
    total, found = 0.0, False
    for pid in pids:
        try:
            procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for p in procs:
            try:
                total += int(Path(f"/proc/{p.pid}/task/{p.pid}/schedstat").read_text().split()[0]) / 1e9
                found = True
            except (OSError, ValueError, IndexError):
                pass
    return total if found else None


class WalWatch:
    """The -wal file's size through the run: `run()` in a greenlet samples it every `every` seconds."""

    def __init__(self, database: Path | None, every: float = 0.5):
        self.wal = None if database is None else Path(f"{database}-wal")
        self.every = every
        self.samples: list[tuple[float, int]] = []  # (seconds from the start, bytes)

    def size(self) -> int:
        try:
            return self.wal.stat().st_size
        except OSError:
            return 0

    def run(self) -> None:
        t0 = time.monotonic()
        while self.wal is not None:
            self.samples.append((round(time.monotonic() - t0, 1), self.size()))
            gevent.sleep(self.every)

    def summary(self) -> dict | None:
        if self.wal is None or not self.samples:
            return None
        sizes = [b for _, b in self.samples]
        return {"max_bytes": max(sizes), "end_bytes": self.size(), "mean_bytes": sum(sizes) / len(sizes),
                "every_10s": [s for s in self.samples if s[0] % 10 < self.every]}


def profile_start(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGUSR1)


def profile_dump(pids: list[int], path: Path, timeout: float = 900.0) -> bool:
    """Ask the profiled server to write its profile; wait until the file is complete (merging the profiles
    of thousands of script-run threads takes minutes)."""
    start = time.time()
    for pid in pids:
        os.kill(pid, signal.SIGHUP)
    while time.time() - start < timeout:
        try:
            if path.stat().st_mtime >= start and path.stat().st_size > 0:
                time.sleep(1.0)  # the dump writes the file in one go; give it a moment to close
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


LEAD_S = 0.3  # a submit pressed this long before a refresh was sent, or while it ran, counts as pressed near it


def during_refreshes(submits: list[dict], windows: list[tuple[float, float]], quantile, lead: float = LEAD_S) -> dict | None:
    """Submit -> feedback of the submits pressed near a refresh of the live view (from `lead` seconds before
    it was sent until it ended) against the others' (p50, p95 by `quantile(sorted values, q)`); None without
    refreshes. By the moment of the press, not by whether the wait overlapped a refresh: a long wait overlaps
    one more often, so that split would find the overlapping ones slow whatever the refreshes cost."""
    if not windows:
        return None
    near, far = [], []
    for s in submits:
        if s.get("feedback_s") is None:
            continue
        t = s["pressed_at"]
        (near if any(w0 - lead <= t <= w1 for w0, w1 in windows) else far).append(s["feedback_s"])
    near.sort()
    far.sort()
    return {"lead_s": lead, "near": len(near), "near_p50_s": quantile(near, 0.5), "near_p95_s": quantile(near, 0.95),
            "others": len(far), "others_p50_s": quantile(far, 0.5), "others_p95_s": quantile(far, 0.95)}


class LoopLag:
    """How late the load generator's own event loop (gevent's hub, where every student's clock is read) wakes
    a greenlet that sleeps `every` seconds: when it is late, every feedback is read late, and the figures
    grow with no work of the server's. `run()` in a greenlet."""

    def __init__(self, every: float = 0.01):
        self.every = every
        self.lags: list[float] = []

    def run(self) -> None:
        while True:
            t = time.perf_counter()
            gevent.sleep(self.every)
            self.lags.append(max(0.0, time.perf_counter() - t - self.every))

    def summary(self) -> dict | None:
        if not self.lags:
            return None
        lags = sorted(self.lags)
        return {"p50_s": lags[len(lags) // 2], "p95_s": lags[int(0.95 * (len(lags) - 1))], "max_s": lags[-1],
                "late_50ms_s": sum(x for x in lags if x > 0.05)}
