"""Where the gradebook lives, how it is connected to, and how long it may take to answer.

Every operation of the Store runs under a deadline (ATTENTION_LAB_DB_TIMEOUT seconds, default 10):
connecting, the check that a pooled connection is alive, and every statement. A database that does not
answer by then (a hung PostgreSQL, a lock another process never releases) ends the operation with
GradebookTimeout instead of a page that spins forever:

    PostgreSQL  connect_timeout (libpq, at least 2 s); statement_timeout and
                idle_in_transaction_session_timeout on the server (a transaction whose client vanished
                frees its locks); and, for a server that accepts bytes but never answers, a watchdog that
                shuts the connection's socket down at the deadline (the waiting call then fails at once
                and the connection is discarded)
    SQLite      busy_timeout (a writer waits that long for the write lock, then "database is locked"), and
                the same watchdog, which interrupts a running statement

A connection on which an operation failed is discarded, never returned to the pool: a read-only SQLite
file made writable later, or a PostgreSQL that came back, is used again by the next operation.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url

from exercises.store.deadline import Deadline, current_deadline

log = logging.getLogger(__name__)

DEFAULT_SQLITE_PATH = Path(__file__).resolve().parents[2] / "gradebook.sqlite3"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_POOL_SIZE = 5  # PostgreSQL connections each app process keeps open ...
DEFAULT_MAX_OVERFLOW = 10  # ... and may open beyond them while busy (SQLAlchemy's own defaults)


class GradebookError(Exception):
    """The gradebook did not do what was asked (str(error) says what, without server paths)."""


class GradebookTimeout(GradebookError):
    pass


class GradebookReadOnly(GradebookError):
    pass


class GradebookUnreachable(GradebookError):
    pass


class CommitUnknown(GradebookError):
    """The database stopped answering during COMMIT: the submission may or may not have been stored."""


def resolve_url(url: str | None = None) -> str:
    """The SQLAlchemy URL to use: the argument, else DATABASE_URL, else the SQLite file at
    ATTENTION_LAB_DB or DEFAULT_SQLITE_PATH. postgres:// and postgresql:// become postgresql+psycopg://."""
    url = url or os.environ.get("DATABASE_URL") or None
    if url is None:
        return _sqlite_url(os.environ.get("ATTENTION_LAB_DB") or str(DEFAULT_SQLITE_PATH), os.getcwd())
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@functools.lru_cache(maxsize=64)
def _sqlite_url(path: str, cwd: str) -> str:
    """An SQLite file's URL (resolved once per path and working folder: the page asks on every run)."""
    return f"sqlite:///{(Path(cwd) / Path(path).expanduser()).resolve()}"


def default_timeout() -> float:
    """ATTENTION_LAB_DB_TIMEOUT (seconds) when it is a positive number, else DEFAULT_TIMEOUT_S."""
    try:
        value = float(os.environ.get("ATTENTION_LAB_DB_TIMEOUT") or DEFAULT_TIMEOUT_S)
    except ValueError:
        value = DEFAULT_TIMEOUT_S
    return value if math.isfinite(value) and value > 0 else DEFAULT_TIMEOUT_S


def pool_sizes() -> tuple[int, int]:
    """(pool_size, max_overflow) of a PostgreSQL engine: ATTENTION_LAB_DB_POOL_SIZE connections kept open
    and ATTENTION_LAB_DB_MAX_OVERFLOW more while busy, each a whole number (size at least 1), else the
    defaults. One app process holds at most their sum: K processes on M machines need K x M x that
    within PostgreSQL's max_connections."""

    def setting(name: str, default: int, least: int) -> int:
        try:
            value = int(os.environ.get(name) or default)
        except ValueError:
            return default
        return value if value >= least else default

    return (setting("ATTENTION_LAB_DB_POOL_SIZE", DEFAULT_POOL_SIZE, 1),
            setting("ATTENTION_LAB_DB_MAX_OVERFLOW", DEFAULT_MAX_OVERFLOW, 0))


def translate(err: BaseException, deadline: Deadline | None, seconds: float) -> GradebookError | None:
    """A database failure -> the GradebookError that says what happened; None for anything else (a bug:
    let it propagate as is)."""
    if isinstance(err, GradebookError):
        return err
    text = str(getattr(err, "orig", None) or err).lower()
    timeout = f"The gradebook did not answer within {seconds:g} seconds (timed out)."
    if (deadline is not None and deadline.fired) or isinstance(err, exc.TimeoutError) or any(
            w in text for w in ("timeout", "timed out", "database is locked", "interrupted")):
        return GradebookTimeout(timeout)
    if any(w in text for w in ("readonly", "read-only", "permission denied")):
        return GradebookReadOnly("The gradebook is read-only: the server may read it but not write to it.")
    if isinstance(err, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.InvalidRequestError,
                        exc.InternalError)):
        return GradebookUnreachable(f"The gradebook cannot be reached ({type(getattr(err, 'orig', None) or err).__name__}).")
    return None


# ---------------------------------------------------------------------------------------------
# engines


def make_engine(url: str, seconds: float) -> Engine:
    """A pooled engine for SQLite or PostgreSQL with the timeouts above."""
    url_obj = make_url(url)
    dialect = url_obj.get_backend_name()
    if dialect == "sqlite":
        if url_obj.database and url_obj.database != ":memory:":
            Path(url_obj.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url_obj, pool_timeout=seconds)
        _sqlite_setup(engine, seconds)
    elif dialect == "postgresql":
        size, overflow = pool_sizes()
        engine = create_engine(url_obj, pool_timeout=seconds, pool_size=size, max_overflow=overflow,
                               connect_args={"connect_timeout": max(2, math.ceil(seconds))})
        _postgresql_setup(engine, seconds)
    else:
        raise ValueError(f"the gradebook runs on SQLite or PostgreSQL, not {dialect!r} ({url_obj!r})")

    @event.listens_for(engine.pool, "checkout")
    def _checkout(dbapi_conn, _record, _proxy):
        """Watch the connection under this thread's deadline; on PostgreSQL, check that it is alive (the
        pool's pre_ping would run before the watch begins). A dead one is replaced by the pool."""
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(dbapi_conn)
        if dialect == "postgresql":
            try:
                engine.dialect.do_ping(dbapi_conn)
            except Exception as err:
                if deadline is not None and deadline.fired:
                    raise GradebookTimeout(f"The gradebook did not answer within {seconds:g} seconds (timed out).") \
                        from err
                raise exc.DisconnectionError(str(err)) from err

    return engine


def _postgresql_setup(engine: Engine, seconds: float) -> None:
    """The server's own timeouts, set on each new connection (SET rather than the `options` startup
    parameter, which connection poolers such as PgBouncer refuse): a statement, and a transaction whose
    client went silent (a network cut), end after `seconds` and free their locks."""
    ms = int(seconds * 1000)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(dbapi_conn)
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {ms}")
            cur.execute(f"SET idle_in_transaction_session_timeout = {ms}")
        dbapi_conn.commit()


def _sqlite_setup(engine: Engine, seconds: float) -> None:
    """WAL (readers never wait for the writer), a busy timeout (a writer waits for the other), foreign
    keys on, and transactions begun by us: BEGIN IMMEDIATE for writes, BEGIN for reads. pysqlite's
    own implicit BEGIN is turned off (isolation_level=None), as SQLAlchemy's docs recommend."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        _sqlite_wal(cur, seconds)
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        write = conn.get_execution_options().get("attention_lab_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_wal(cur, seconds: float) -> None:
    """Switch the file to WAL (it stays so). The switch of a new file does not wait on the busy timeout
    when another process is switching it at the same moment ("database is locked"): retry until then.
    A read-only file cannot switch: it is read as it is (writes then fail, with a message)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() not in ("wal", "memory"):
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "readonly" in str(err):
                return
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
