"""deploy/class_server.py's command line: what it refuses before starting anything (no DATABASE_URL, a
database that is not PostgreSQL or not there, no processes), each with what to do and no traceback.
The whole stack runs in test_run_class.py, and with a student in a browser in
browser/test_class_server_failover.py."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from tests.class_stack import REPO
from tests.postgres import new_postgres_database


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


def test_processes_must_be_one_or_more():
    done = run("--processes", "0", env={"DATABASE_URL": "postgresql://lab@127.0.0.1:1/lab"})
    assert done.returncode == 2 and "give 1 or more" in done.stderr


def test_apps_only_runs_the_app_processes_for_an_haproxy_elsewhere(tmp_path, postgres_url):
    from tests.browser.harness import free_port
    from tests.class_stack import start, stop

    port = free_port()
    cmd = [sys.executable, "-m", "deploy.class_server", "--apps-only", "--processes", "1", "--first-app-port",
           str(port), "--database-url", new_postgres_database(postgres_url), "--logs", str(tmp_path / "logs")]
    proc, _ = start(cmd, {}, tmp_path / "out.log")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as r:
            assert r.read() == b"ok"
    finally:
        assert stop(proc) == 0
    out = (tmp_path / "out.log").read_text()
    assert f"ready: 1 app processes on 127.0.0.1 ports {port} (no HAProxy here" in out
    assert not (tmp_path / "logs" / "haproxy.cfg").exists()
