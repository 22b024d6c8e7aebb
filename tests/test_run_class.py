"""./run_class.sh as CI runs it: HAProxy in front of 2 app processes sharing a real PostgreSQL. It gets
healthy through HAProxy, HAProxy sees both processes up, a process killed with kill -9 is marked down
within seconds and started again, and SIGTERM stops everything it started."""

from __future__ import annotations

import os
import signal
import time
import urllib.request

from deploy import haproxy
from tests import class_stack
from tests.browser.harness import free_port
from tests.postgres import new_postgres_database


def test_run_class_serves_through_haproxy_restarts_a_killed_process_and_stops_cleanly(tmp_path, postgres_url):
    port, logs = free_port(), tmp_path / "logs"
    cmd = ["./run_class.sh", "--processes", "2", "--port", str(port), "--bind", "127.0.0.1", "--logs", str(logs)]
    proc, url = class_stack.start(cmd, {"DATABASE_URL": new_postgres_database(postgres_url)}, tmp_path / "out.log")
    sock = logs / "haproxy.sock"
    restarted = {}
    try:
        assert url == f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
            assert r.read() == b"ok"
        with urllib.request.urlopen(f"{url}/exercises", timeout=10) as r:  # the app's page, and the cookie
            assert r.status == 200 and "ATTENTION_LAB_SERVER=app" in r.headers["Set-Cookie"]
        assert haproxy.backend_states(sock) == {"app1": "UP", "app2": "UP"}
        started = class_stack.pids(logs)
        assert set(started) == {"app1", "app2", "haproxy"}

        os.kill(started["app2"], signal.SIGKILL)
        killed = time.monotonic()
        down = class_stack.wait_for(lambda: haproxy.backend_states(sock).get("app2", "").startswith("DOWN"), 10)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:  # app1 answers meanwhile
            assert r.read() == b"ok"
        class_stack.wait_for(lambda: haproxy.backend_states(sock).get("app2") == "UP", 120)
        back = time.monotonic() - killed
        restarted = class_stack.pids(logs)
        assert restarted["app2"] != started["app2"]
        print(f"\nkill -9 of app2: marked down by HAProxy after {down:.1f} s, started again and up after {back:.1f} s")
    finally:
        code = class_stack.stop(proc)
    out = (tmp_path / "out.log").read_text()
    assert code == 0, out
    assert "app2 (pid" in out and "started again" in out and out.rstrip().endswith("stopped")
    running = [f"{name} {pid}" for name, pid in [*started.items(), *restarted.items()] if class_stack.alive(pid)]
    assert running == [], f"still running after stop: {running}"
    assert not (logs / "pids").exists()
    assert "Traceback" not in (logs / "app1.log").read_text()
    assert "app2 started again" in (logs / "class_server.log").read_text()
