"""deploy/class_server.py: what it refuses before starting anything (no DATABASE_URL, a database that is
not PostgreSQL or not there, a port in use), each with what to do, and the connections it counts
against PostgreSQL's max_connections. The whole stack runs in test_run_class.py."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from core.errors import UserError
from deploy import class_server
from tests.class_stack import REPO


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deploy.class_server", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", **(env or {})})


def test_without_database_url_it_refuses_to_start_and_says_what_to_set(tmp_path):
    done = run("--processes", "2", "--logs", str(tmp_path / "logs"))
    assert done.returncode == 2
    assert "DATABASE_URL is not set" in done.stderr and "postgresql://" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "logs").exists()  # nothing started, nothing written


@pytest.mark.parametrize("url, words", [
    ("sqlite:///gradebook.sqlite3", "not PostgreSQL"),
    ("postgresql://lab:hunter2@127.0.0.1:1/lab", "cannot be used"),
])
def test_a_database_it_cannot_share_is_refused(url, words):
    done = run("--processes", "2", "--port", "0", env={"DATABASE_URL": url})
    assert done.returncode == 2 and words in done.stderr
    assert "hunter2" not in done.stderr + done.stdout  # the password is never printed
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_refused_with_the_option_to_change_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserError, match="--port"):
            class_server.check_port("127.0.0.1", port)


def test_processes_must_be_one_or_more():
    done = run("--processes", "0", env={"DATABASE_URL": "postgresql://lab@127.0.0.1:1/lab"})
    assert done.returncode == 2 and "give 1 or more" in done.stderr


def test_it_warns_when_the_processes_could_open_more_connections_than_postgresql_allows(postgres_url, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_DB_POOL_SIZE", "5")
    monkeypatch.setenv("ATTENTION_LAB_DB_MAX_OVERFLOW", "10")
    fits = class_server.check_gradebook(postgres_url, 2)  # the tests' server: max_connections 100, 3 reserved
    assert fits == [f"gradebook: {postgres_url}; 2 processes x up to 15 connections (pool 5 + overflow 10) "
                    "= 30 of the 97 PostgreSQL allows"]
    too_many = class_server.check_gradebook(postgres_url, 8)
    assert "120 of the 97" in too_many[0]
    assert "ATTENTION_LAB_DB_MAX_OVERFLOW to sum to 12 or less per process" in too_many[1]
