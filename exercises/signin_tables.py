"""The sign-in tables, kept in the gradebook's database beside its own (defined here, with a MetaData of
their own, so they depend on nothing but the gradebook's engine):

    signin_codes     student_id, code_hash ("salt$sha256"), created_at: a roster student's personal code
    signin_failures  key (what is being guessed: "code:jdoe42", "dashboard"), failures, last_at (seconds
                     since the epoch): the slow-down after wrong codes and passwords, shared by every app
                     process behind a load balancer
    signins          student_id, method (how the student last signed in: sso, roster, class_code, id_only),
                     first_at, last_at: what the dashboard shows as verified or not

`ensure(engine)` creates whichever are missing (once per engine and process). This module never imports
streamlit.
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, func, text
from sqlalchemy.engine import Engine

MAX_KEY = 200
_CREATE_LOCK_KEY = 0x53_69_67_6E  # PostgreSQL advisory lock held while creating the tables ("Sign")

metadata = MetaData()

codes = Table(
    "signin_codes", metadata,
    Column("student_id", String(MAX_KEY), primary_key=True),
    Column("code_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)

failures = Table(
    "signin_failures", metadata,
    Column("key", String(MAX_KEY), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", Float, nullable=False),
)

signins = Table(
    "signins", metadata,
    Column("student_id", String(MAX_KEY), primary_key=True),
    Column("method", String(40), nullable=False),
    Column("first_at", DateTime(timezone=True), server_default=func.now()),
    Column("last_at", DateTime(timezone=True), server_default=func.now()),
)

_ready: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()


def ensure(engine: Engine) -> Engine:
    """CREATE TABLE for the sign-in tables that are missing. Returns the engine."""
    return create_once(engine, metadata, _CREATE_LOCK_KEY, _ready)


def create_once(engine: Engine, tables: MetaData, lock_key: int, ready: weakref.WeakSet) -> Engine:
    """CREATE TABLE for those of `tables` that are missing, once per engine and process (`ready` remembers
    the engines done); two processes starting at once on PostgreSQL wait for each other on the advisory
    lock `lock_key`. The sign-in tables here and the LTI tables (exercises/lti/tables.py) use it."""
    if engine in ready:
        return engine
    with _lock, engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        tables.create_all(conn)
        ready.add(engine)
    return engine


def insert(engine: Engine):
    """The dialect's INSERT (with on_conflict_do_update / _do_nothing): SQLite's or PostgreSQL's."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert
