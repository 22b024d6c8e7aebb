"""exercises/store/connect.py's pool sizes: how many PostgreSQL connections one app process may hold
(ATTENTION_LAB_DB_POOL_SIZE kept open + ATTENTION_LAB_DB_MAX_OVERFLOW while busy), which a class server
of K processes multiplies against PostgreSQL's max_connections."""

from __future__ import annotations

import pytest

from exercises.store import Store
from exercises.store.connect import DEFAULT_MAX_OVERFLOW, DEFAULT_POOL_SIZE, pool_sizes


@pytest.mark.parametrize("size, overflow, expected", [
    ("", "", (DEFAULT_POOL_SIZE, DEFAULT_MAX_OVERFLOW)),
    ("3", "2", (3, 2)),
    ("1", "0", (1, 0)),
    ("0", "-1", (DEFAULT_POOL_SIZE, DEFAULT_MAX_OVERFLOW)),  # no pool at all is not a pool size
    ("many", "2.5", (DEFAULT_POOL_SIZE, DEFAULT_MAX_OVERFLOW)),
])
def test_pool_sizes_come_from_the_settings_else_the_defaults(monkeypatch, size, overflow, expected):
    monkeypatch.setenv("ATTENTION_LAB_DB_POOL_SIZE", size)
    monkeypatch.setenv("ATTENTION_LAB_DB_MAX_OVERFLOW", overflow)
    assert pool_sizes() == expected


def test_a_postgresql_store_holds_at_most_the_pool_and_its_overflow(postgres_url, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_DB_POOL_SIZE", "2")
    monkeypatch.setenv("ATTENTION_LAB_DB_MAX_OVERFLOW", "1")
    store = Store(postgres_url)
    try:
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (2, 1)
    finally:
        store.close()
