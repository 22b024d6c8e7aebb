"""The slow-down after wrong codes and passwords, on a real SQLite file and a real PostgreSQL, with a
clock the test moves (no sleeping)."""

from __future__ import annotations

import threading

import pytest

from exercises.store import Store
from exercises.throttle import FREE, MAX_WAIT, Throttle, seconds_text, wait_after
from tests.postgres import new_postgres_database


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sqlite_store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'gb.sqlite3'}")
    yield s
    s.close()


def test_waits_double_after_the_free_tries_up_to_a_cap():
    assert [wait_after(n) for n in range(FREE)] == [0.0] * FREE
    assert [wait_after(FREE + i) for i in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert wait_after(FREE + 40) == MAX_WAIT
    assert seconds_text(0.2) == "1 second" and seconds_text(7.5) == "8 seconds" and seconds_text(300) == "5 minutes"


def run_the_slow_down(store: Store) -> None:
    clock = Clock()
    throttle = Throttle(store.engine, clock)
    # 50 tries in one instant: the free ones go ahead, every other one is refused unchecked
    allowed = [throttle.attempt("dashboard") == 0.0 for _ in range(50)]
    assert allowed == [True] * FREE + [False] * (50 - FREE)
    assert throttle.count("dashboard") == FREE
    assert throttle.attempt("code:alice") == 0.0  # another key is not slowed down
    clock.now += 0.9
    assert throttle.attempt("dashboard") == pytest.approx(0.1)
    clock.now += 0.1
    assert throttle.attempt("dashboard") == 0.0  # the 6th try, 1 s after the 5th
    assert throttle.attempt("dashboard") == pytest.approx(2.0)  # the 7th waits 2 s
    clock.now += 2
    assert throttle.attempt("dashboard") == 0.0
    # a second process (another Throttle on another engine) sees the same count
    other = Store(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        assert Throttle(other.engine, clock).attempt("dashboard") == pytest.approx(4.0)
    finally:
        other.close()
    throttle.succeeded("dashboard")  # the right password clears it
    assert throttle.count("dashboard") == 0 and throttle.attempt("dashboard") == 0.0


def test_slow_down_on_sqlite(sqlite_store):
    run_the_slow_down(sqlite_store)


def test_slow_down_on_postgresql(postgres_url):
    store = Store(new_postgres_database(postgres_url))
    try:
        run_the_slow_down(store)
    finally:
        store.close()


def test_a_very_long_key_is_cut_not_refused(sqlite_store):
    throttle = Throttle(sqlite_store.engine, Clock())
    assert throttle.attempt("code:" + "x" * 5000) == 0.0 and throttle.count("code:" + "x" * 5000) == 1


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_tries_at_once_from_many_threads_get_no_more_than_the_free_ones(request, tmp_path, db):
    """The count and the check are one transaction: 24 tries racing each other, from 24 threads over two
    connection pools (as two app processes would), let exactly FREE through."""
    url = (f"sqlite:///{tmp_path / 'gb.sqlite3'}" if db == "sqlite"
           else new_postgres_database(request.getfixturevalue("postgres_url")))
    stores = [Store(url), Store(url)]
    clock = Clock()
    throttles = [Throttle(s.engine, clock) for s in stores]
    results: list[float] = []
    start = threading.Barrier(24)

    def guess(i: int) -> None:
        start.wait()
        results.append(throttles[i % 2].attempt("code:bob"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(24)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results).count(0.0) == FREE and len(results) == 24
        assert throttles[0].count("code:bob") == FREE
    finally:
        for s in stores:
            s.close()
