"""benchmarks/class_probe.py: the main thread's CPU apart from the others' (checked against this process's
own threads, one of them burning CPU), and the SQLite write-ahead log's size (a real WAL file)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import gevent
import psutil
import pytest

from benchmarks.class_probe import WalWatch, main_thread_cpu

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="Linux's /proc")


def burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_the_main_thread_is_counted_apart_from_the_others():
    before_main, before_all = main_thread_cpu([os.getpid()]), psutil.Process().cpu_times()
    worker = threading.Thread(target=burn, args=(0.4,))
    worker.start()
    worker.join()
    burn(0.1)
    main = main_thread_cpu([os.getpid()]) - before_main
    now = psutil.Process().cpu_times()
    everything = (now.user + now.system) - (before_all.user + before_all.system)
    assert 0.08 <= main <= 0.25  # this thread's 0.1 s, not the worker's 0.4 s
    assert everything >= main + 0.3  # the worker's CPU is in the process's, not in the main thread's


def test_a_process_that_is_gone_gives_none():
    assert main_thread_cpu([2 ** 22 + 12345]) is None


def test_the_wal_file_is_sampled(tmp_path):
    db = tmp_path / "gradebook.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x TEXT)")
    watch = WalWatch(db, every=0.05)
    g = gevent.spawn(watch.run)
    gevent.sleep(0.12)
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 200)
    conn.commit()
    gevent.sleep(0.12)
    g.kill()
    s = watch.summary()
    assert s["max_bytes"] == os.path.getsize(f"{db}-wal") > 200 * 1000
    assert s["end_bytes"] == s["max_bytes"]
    assert len(watch.samples) >= 3 and watch.samples[0][0] == 0.0
    conn.close()


def test_no_sqlite_file_no_summary():
    assert WalWatch(None).summary() is None


def nearest(values: list[float], q: float) -> float | None:
    return values[min(len(values) - 1, int(q * len(values)))] if values else None


def test_submits_are_split_by_when_they_were_pressed_not_by_how_long_they_waited():
    from benchmarks.class_probe import during_refreshes

    windows = [(10.0, 10.5), (13.0, 13.2)]
    submits = [{"pressed_at": 9.0, "feedback_s": 1.2},  # waited across the first refresh, pressed 1 s before: far
               {"pressed_at": 9.8, "feedback_s": 0.3},  # 0.2 s before the first: near
               {"pressed_at": 10.4, "feedback_s": 0.05},  # while it ran: near
               {"pressed_at": 12.0, "feedback_s": 0.9},  # far
               {"pressed_at": 13.25, "feedback_s": 0.1},  # just after the second ended: far
               {"pressed_at": 12.7, "feedback_s": 0.2},  # exactly the lead before the second: near
               {"pressed_at": 5.0, "feedback_s": None}]  # no feedback: left out
    d = during_refreshes(submits, windows, nearest, lead=0.3)
    assert (d["near"], d["others"]) == (3, 3)
    assert d["near_p50_s"] == 0.2 and d["near_p95_s"] == 0.3
    assert d["others_p50_s"] == 0.9 and d["others_p95_s"] == 1.2
    assert during_refreshes(submits, [], nearest) is None


def test_the_loop_lag_sees_a_greenlet_that_does_not_yield():
    from benchmarks.class_probe import LoopLag

    lag = LoopLag(every=0.005)
    g = gevent.spawn(lag.run)
    gevent.sleep(0.05)
    gevent.spawn(burn, 0.2)  # holds the hub: no other greenlet runs meanwhile
    gevent.sleep(0.3)
    g.kill()
    s = lag.summary()
    assert s["max_s"] >= 0.15  # the sleeper woke ~0.2 s late once
    assert s["p50_s"] < 0.05  # and on time otherwise
    assert s["late_50ms_s"] >= 0.15
    assert LoopLag().summary() is None
