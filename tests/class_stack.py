"""Starting and stopping a class server (deploy/class_server.py: HAProxy and its app processes) in the
tests, the way CI and a person run it: the command's own output says when it is ready."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def start(cmd: list[str], env: dict[str, str], log_path: Path, timeout: float = 180.0) -> tuple[subprocess.Popen, str]:
    """Run CMD (./run_class.sh or python -m deploy.class_server ...) with its output in LOG_PATH; (the
    process, the URL of its "ready: URL" line). Fails with the output when it ends or times out first."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if line.startswith("ready: "):
                return proc, line.split()[1]
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    stop(proc)
    raise AssertionError(f"the class server was not ready:\n{log_path.read_text(errors='replace')[-4000:]}")


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> int:
    """SIGTERM, as a service manager (or CI) stops it; its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def pids(logs: Path) -> dict[str, int]:
    """{name: pid} of the processes the class server runs now (its log folder's `pids` file)."""
    path = logs / "pids"
    if not path.exists():
        return {}
    return {name: int(pid) for name, pid, _port in (line.split() for line in path.read_text().splitlines() if line)}


def alive(pid: int) -> bool:
    """True while PID is a running process (not a zombie)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def wait_for(condition, timeout: float, poll: float = 0.1) -> float:
    """Seconds until condition() was true; AssertionError after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(poll)
    raise AssertionError(f"not true within {timeout:g} s: {condition}")
