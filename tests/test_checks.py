"""deploy/checks.py: a port in use is refused with the option to change it, and the connections K app
processes may open are counted against PostgreSQL's max_connections, with the setting that fits."""

from __future__ import annotations

import socket

import pytest

from core.errors import UserError
from deploy import checks


def test_a_port_in_use_is_refused_with_the_option_to_change_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserError, match="--port"):
            checks.check_port("127.0.0.1", port)


def test_it_warns_when_the_processes_could_open_more_connections_than_postgresql_allows(postgres_url, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_DB_POOL_SIZE", "5")
    monkeypatch.setenv("ATTENTION_LAB_DB_MAX_OVERFLOW", "10")
    fits = checks.check_gradebook(postgres_url, 2)  # the tests' server: max_connections 100, 3 reserved
    assert fits == [f"gradebook: {postgres_url}; 2 processes x up to 15 connections (pool 5 + overflow 10) "
                    "= 30 of the 97 PostgreSQL allows"]
    too_many = checks.check_gradebook(postgres_url, 8)
    assert "120 of the 97" in too_many[0]
    assert "ATTENTION_LAB_DB_MAX_OVERFLOW to sum to 12 or less per process" in too_many[1]
