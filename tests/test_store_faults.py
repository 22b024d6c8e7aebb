"""The gradebook when things go wrong, through submission.submit as the page calls it: a reply to COMMIT
that never comes (a TCP proxy between the store and a real PostgreSQL drops it), a hung PostgreSQL and
a locked SQLite file (the timeouts), a read-only SQLite file fixed while the app runs, and answers that
cannot be stored (too long, control characters) on both databases."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import textwrap
import threading
import time

import pytest
from sqlalchemy import text

from exercises import BY_ID, practice, submission
from exercises.assignments import parse
from exercises.families import softmax_row
from exercises.store import MAX_ANSWER_CHARS, GradebookTimeout, Store
from tests.pgproxy import Proxy
from tests.postgres import new_postgres_database

ASSIGNMENT = parse(textwrap.dedent("""
    tries = 3
    [[exercise]]
    family = "softmax_row"
"""), "faults.toml", BY_ID)


def wrong_and_right(student: str) -> tuple[str, str]:
    p = practice.exercise(student, ASSIGNMENT, 0).params
    wrong = softmax_row.MISTAKES["max_instead_of_softmax"](p) or " ".join(["0.9"] * len(p["scores"]))
    return wrong, softmax_row.solve(p)


def rows(url: str, student: str) -> list[tuple[str, bool, str | None, float]]:
    """What the database holds, read past the proxy."""
    store = Store(url)
    try:
        return [(a.answer, a.valid, a.mistake, a.score) for a in store.attempts(student, ASSIGNMENT.id)]
    finally:
        store.close()


@pytest.fixture
def pg(postgres_url):
    """(the database's own URL, a Proxy in front of it); the tables exist."""
    url = new_postgres_database(postgres_url)
    Store(url).close()
    proxy = Proxy(url)
    yield url, proxy
    proxy.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.sqlite3'}"
    return new_postgres_database(request.getfixturevalue("postgres_url"))


# ---------------------------------------------------------------------------------------------
# one typed answer, one attempt


def test_the_same_answer_submitted_at_once_from_eight_threads_is_one_attempt(url):
    store = Store(url)
    wrong, _ = wrong_and_right("ann")
    barrier = threading.Barrier(8)
    outcomes = []

    def click():
        barrier.wait()
        outcomes.append(submission.submit(store, "ann", ASSIGNMENT, 0, wrong))

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert rows(url, "ann") == [(wrong, True, "max_instead_of_softmax", 0.0)]
    assert all(o.feedback == outcomes[0].feedback and o.stored for o in outcomes) and len(outcomes) == 8


def test_the_same_wrong_answer_typed_again_is_not_a_second_try(url):
    store = Store(url)
    wrong, right = wrong_and_right("bo")
    first = submission.submit(store, "bo", ASSIGNMENT, 0, wrong)
    again = submission.submit(store, "bo", ASSIGNMENT, 0, f"  {wrong}  ")  # spaces around it: the same answer
    assert not first.repeated and again.repeated and again.feedback == first.feedback and again.state.tries == 1
    assert submission.submit(store, "bo", ASSIGNMENT, 0, "banana").state.tries == 1  # unreadable: no try
    out = submission.submit(store, "bo", ASSIGNMENT, 0, right)
    assert out.feedback.correct and out.state.tries == 2 and out.state.solved
    store.close()
    assert [r[0] for r in rows(url, "bo")] == [wrong, "banana", right]


# ---------------------------------------------------------------------------------------------
# the reply to COMMIT is lost


def test_a_lost_commit_reply_is_looked_up_and_the_feedback_is_the_stored_rows(pg):
    url, proxy = pg
    store = Store(proxy.url, timeout=5)
    wrong, _ = wrong_and_right("cy")
    proxy.set("drop_commit")
    out = submission.submit(store, "cy", ASSIGNMENT, 0, wrong)
    assert proxy.commits_dropped == 1
    assert out.stored and out.feedback.mistake == "max_instead_of_softmax" and out.state.tries == 1
    assert rows(url, "cy") == [(wrong, True, "max_instead_of_softmax", 0.0)]
    store.close()


def test_a_lost_commit_with_the_database_gone_says_may_not_have_been_saved_and_resolves_later(pg):
    url, proxy = pg
    store = Store(proxy.url, timeout=5)
    wrong, right = wrong_and_right("dee")
    proxy.set("drop_commit", after_commit="down")
    with pytest.raises(submission.MaybeSaved, match="may not have been saved.*Reload the page") as caught:
        submission.submit(store, "dee", ASSIGNMENT, 0, wrong)
    assert rows(url, "dee") == [(wrong, True, "max_instead_of_softmax", 0.0)]  # it was committed

    with pytest.raises(submission.NotSaved):  # still down: another answer is not saved, and says so
        submission.submit(store, "dee", ASSIGNMENT, 0, right)
    proxy.set("pass")
    resolved = submission.resolve(store, "dee", ASSIGNMENT, 0, caught.value.submission_id)
    assert resolved.feedback.mistake == "max_instead_of_softmax" and resolved.state.tries == 1
    again = submission.submit(store, "dee", ASSIGNMENT, 0, wrong)  # the student submits it again
    assert again.repeated and again.feedback == resolved.feedback and again.state.tries == 1
    out = submission.submit(store, "dee", ASSIGNMENT, 0, right)  # the next answer is graded and stored as itself
    assert out.feedback.correct and out.state.solved and out.state.tries == 2
    assert rows(url, "dee") == [(wrong, True, "max_instead_of_softmax", 0.0), (right, True, None, 1.0)]
    store.close()


# ---------------------------------------------------------------------------------------------
# timeouts


def test_a_hung_postgresql_times_out_with_a_message_and_the_store_recovers(pg):
    url, proxy = pg
    store = Store(proxy.url, timeout=2)
    wrong, _ = wrong_and_right("eve")
    submission.submit(store, "eve", ASSIGNMENT, 0, "banana")  # a pooled connection that worked
    proxy.set("stall")
    start = time.monotonic()
    with pytest.raises(submission.NotSaved, match=r"did not answer within 2 seconds \(timed out\).*not saved"):
        submission.submit(store, "eve", ASSIGNMENT, 0, wrong)
    pooled = time.monotonic() - start
    start = time.monotonic()
    with pytest.raises(GradebookTimeout, match="did not answer within 2 seconds"):
        Store(proxy.url, timeout=2)  # a new connection to the hung server: the connect timeout
    fresh = time.monotonic() - start
    print(f"\nhung PostgreSQL, timeout 2 s: message after {pooled:.2f} s (pooled connection), "
          f"{fresh:.2f} s (new connection)")
    assert pooled < 5 and fresh < 6

    proxy.set("stall_insert")  # the server hangs in the middle of the INSERT: the statement's deadline
    start = time.monotonic()
    with pytest.raises(submission.NotSaved, match="timed out"):
        submission.submit(store, "eve", ASSIGNMENT, 0, wrong)
    print(f"hung during the INSERT: message after {time.monotonic() - start:.2f} s")
    assert time.monotonic() - start < 5
    proxy.set("pass")  # the server ends the cut-off transaction (idle_in_transaction_session_timeout) and its lock
    out = submission.submit(store, "eve", ASSIGNMENT, 0, wrong)  # the same store: cut connections were discarded
    assert out.stored and out.state.tries == 1
    assert [r[0] for r in rows(url, "eve")] == ["banana", wrong]
    store.close()


def test_a_locked_sqlite_file_times_out_with_a_message(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.sqlite3'}"
    store = Store(url, timeout=1)
    wrong, _ = wrong_and_right("fay")
    other = sqlite3.connect(tmp_path / "gradebook.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock and never lets go
    start = time.monotonic()
    with pytest.raises(submission.NotSaved, match="did not answer within 1 seconds"):
        submission.submit(store, "fay", ASSIGNMENT, 0, wrong)
    assert time.monotonic() - start < 4
    other.execute("ROLLBACK")
    other.close()
    assert submission.submit(store, "fay", ASSIGNMENT, 0, wrong).stored
    store.close()


# ---------------------------------------------------------------------------------------------
# a read-only gradebook


def _read_only(path, on: bool) -> None:
    """Make a file unwritable for this process (root ignores permission bits: the immutable flag)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)
    else:
        path.chmod(0o444 if on else 0o644)


def test_a_read_only_sqlite_file_made_writable_is_written_without_a_restart(tmp_path):
    path = tmp_path / "gradebook.sqlite3"
    Store(f"sqlite:///{path}").close()
    _read_only(path, True)
    try:
        store = Store(f"sqlite:///{path}")  # the app starts on a read-only gradebook
        assert "read-only" in store.writable_problem()
        wrong, _ = wrong_and_right("gus")
        with pytest.raises(submission.NotSaved, match="read-only.*not saved"):
            submission.submit(store, "gus", ASSIGNMENT, 0, wrong)
        assert practice.states(store, "gus", ASSIGNMENT)[0].tries == 0  # reading still works
    finally:
        _read_only(path, False)
    out = submission.submit(store, "gus", ASSIGNMENT, 0, wrong)
    assert out.stored and out.state.tries == 1
    assert store.writable_problem() is None
    store.close()


# ---------------------------------------------------------------------------------------------
# answers that cannot be stored

UNSTORABLE = [
    "0.5\x000.5", "\x00", "0.1 0.2\x00", "1 2\x0b3", "0.2\x7f", "\x1b[31m0.5", "0.5\x0c", "\x85 0.3", "\ud800 0.1",
    "x" * (MAX_ANSWER_CHARS + 1), "0.1 " * 1_250_000,  # 5 MB
]


def test_answers_that_cannot_be_stored_are_refused_with_a_message_on_both_databases(url):
    store = Store(url)
    for answer in UNSTORABLE:
        out = submission.submit(store, "hal", ASSIGNMENT, 0, answer)
        assert not out.stored and not out.feedback.valid and out.state.tries == 0, repr(answer[:20])
        assert "at most 10,000" in out.feedback.message or "control character" in out.feedback.message
        with pytest.raises(ValueError, match="cannot be stored"):
            store.record("x" * 64, "hal", ASSIGNMENT.id, 0, "softmax_row", 1, answer, False, 0.0)
    assert store.attempts("hal", ASSIGNMENT.id) == []
    # line breaks and tabs are how matrices are typed; \r\n arrives from Windows browsers
    for answer in ["0.1\t0.2\t0.7", "0.1\n0.2\n0.7", "0.1\r\n0.2\r\n0.7", "x" * MAX_ANSWER_CHARS]:
        assert submission.submit(store, "hal", ASSIGNMENT, 0, answer).stored
    stored = [a.answer for a in store.attempts("hal", ASSIGNMENT.id)]  # \r\n is \n: the same answer, stored once
    assert stored == ["0.1\t0.2\t0.7", "0.1\n0.2\n0.7", "x" * MAX_ANSWER_CHARS]
    store.close()


def test_postgresql_sets_its_own_timeouts_and_a_slow_statement_ends_with_a_message(pg):
    url, _ = pg
    store = Store(url, timeout=2)
    with store._read() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "2s"
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar_one() == "2s"
    start = time.monotonic()
    with pytest.raises(GradebookTimeout, match="did not answer within 2 seconds"), store._read() as conn:
        conn.execute(text("SELECT pg_sleep(30)"))
    assert time.monotonic() - start < 4
    assert store.attempts("nobody", ASSIGNMENT.id) == []  # the next operation works
    store.close()


# ---------------------------------------------------------------------------------------------
# the deadlines: one watchdog thread for the process


def test_operations_start_no_thread_of_their_own_and_a_short_deadline_still_fires_first(tmp_path):
    from exercises.store.deadline import Deadline

    store = Store(f"sqlite:///{tmp_path / 'gradebook.sqlite3'}", timeout=30)
    wrong, _ = wrong_and_right("gus")
    submission.submit(store, "gus", ASSIGNMENT, 0, wrong)
    threads = threading.active_count()
    for _ in range(20):
        store.attempts("gus", ASSIGNMENT.id)
    assert threading.active_count() == threads  # no timer thread per operation

    slow = sqlite3.connect(":memory:")
    with Deadline(30):  # a long deadline queued first does not hold up a shorter one
        pass
    start = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"), Deadline(0.2) as deadline:
        deadline.watch(slow)
        slow.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n").fetchone()
    assert deadline.fired and time.monotonic() - start < 2
    with Deadline(0.05) as done:
        pass
    time.sleep(0.2)
    assert not done.fired  # a finished operation's deadline never fires
    store.close()
