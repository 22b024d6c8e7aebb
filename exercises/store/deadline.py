"""The deadline of one gradebook operation (exercises/store/connect.py says what each database does
with it): `with Deadline(seconds):` around an operation on this thread; the connection the pool hands
out inside it is watched, and when the time is up it is cut (SQLite interrupted, PostgreSQL's socket
shut down), so a call blocked on a server that stopped answering returns at once. One watchdog thread
per process keeps every deadline: an operation starts no thread.

This module never imports streamlit.
"""

from __future__ import annotations

import heapq
import logging
import os
import socket
import sqlite3
import threading
import time

log = logging.getLogger(__name__)

_current = threading.local()


class Deadline:
    """`with Deadline(seconds):` around one operation on this thread. The connection the pool hands out
    inside it is watched; when the time is up, that connection is cut (see the module's docstring). One
    watchdog thread per process keeps every deadline (_Watchdog): an operation starts no thread."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self.done = False
        self._conn = None
        self._lock = threading.Lock()

    def __enter__(self) -> Deadline:
        _current.deadline = self
        _WATCHDOG.add(self)
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:  # the watchdog firing just now finds nothing to cut: the connection is back in the pool
            self.done = True
            self._conn = None
        _current.deadline = None

    def watch(self, dbapi_conn) -> None:
        with self._lock:
            self._conn = dbapi_conn
            if self.fired:
                _cut(dbapi_conn)

    def _fire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.fired = True
            if self._conn is not None:
                _cut(self._conn)


class _Watchdog:
    """One daemon thread that fires every Deadline whose time is up, earliest first. A finished
    operation's deadline stays queued until its time and is then skipped (it is `done`); the queue holds
    at most the operations of the last `seconds`."""

    def __init__(self):
        self._queue: list[tuple[float, int, Deadline]] = []  # a heap of (due, order, deadline)
        self._wake = threading.Condition(threading.Lock())
        self._order = 0
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        due = time.monotonic() + deadline.seconds
        with self._wake:
            self._order += 1
            heapq.heappush(self._queue, (due, self._order, deadline))
            if self._thread is None or not self._thread.is_alive():  # the first, or after a fork
                self._thread = threading.Thread(target=self._run, name="gradebook-watchdog", daemon=True)
                self._thread.start()
            elif self._queue[0][2] is deadline:
                self._wake.notify()  # the new deadline is the earliest (a shorter timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    self._wake.wait(None if not self._queue else self._queue[0][0] - time.monotonic())
                _, _, deadline = heapq.heappop(self._queue)
            deadline._fire()


_WATCHDOG = _Watchdog()


def _cut(dbapi_conn) -> None:
    """Make a blocked call on this connection return now: interrupt SQLite, shut PostgreSQL's socket."""
    try:
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.interrupt()
        else:
            with socket.socket(fileno=os.dup(dbapi_conn.pgconn.socket)) as s:
                s.shutdown(socket.SHUT_RDWR)
    except Exception:  # already closed: nothing is waiting on it
        log.debug("cutting a gradebook connection failed", exc_info=True)




def current_deadline() -> Deadline | None:
    """The deadline of the operation running on this thread, or None."""
    return getattr(_current, "deadline", None)
