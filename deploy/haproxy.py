"""HAProxy for the class server: its configuration (from haproxy.cfg.template), the check of that
configuration, and the state of each app process as HAProxy sees it (its stats socket).

    render(port, apps, stats_socket)   the text of haproxy.cfg: one `server` line per app process
    check(cfg_path)                    None when `haproxy -c` accepts the file, else what it said
    backend_states(stats_socket)       {"app1": "UP", "app2": "DOWN", ...}, read with `show stat`

For app processes on several machines (./run_class.sh --apps-only on each), the HAProxy in front of
them gets its configuration from the same template, every process of every machine a server:

    python -m deploy.haproxy --port 8501 --socket /run/haproxy/lab.sock 10.0.0.2:8601-8608 10.0.0.3:8601-8608
"""

from __future__ import annotations

import argparse
import csv
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")
BACKEND = "apps"  # the backend's name in the template
COOKIE = "ATTENTION_LAB_SERVER"  # the cookie HAProxy inserts: the name of the student's process
CHECK_INTER_MS = 1000  # a health check every second ...
CHECK_FALL = 2  # ... a process is down after 2 failed ones in a row (a dead one refuses at once: <= 2 s)
CHECK_RISE = 2  # ... and up again after 2 good ones
MAXCONN = 4096  # connections HAProxy holds at once: a student holds one websocket and a few requests


@dataclass(frozen=True)
class App:
    """One app process behind HAProxy: its name (also its cookie value), port and address."""

    name: str
    port: int
    host: str = "127.0.0.1"


def render(port: int, apps: list[App], stats_socket: Path, bind: str = "*") -> str:
    """haproxy.cfg for HAProxy listening on BIND:PORT in front of `apps`."""
    servers = "\n".join(f"    server {a.name} {a.host}:{a.port} cookie {a.name}" for a in apps)
    return Template(TEMPLATE.read_text()).substitute(
        bind=bind, port=port, servers=servers, stats_socket=stats_socket, maxconn=MAXCONN,
        inter_ms=CHECK_INTER_MS, fall=CHECK_FALL, rise=CHECK_RISE)


def executable() -> str | None:
    """The haproxy program: on PATH, else Debian's /usr/sbin/haproxy (not on a normal user's PATH)."""
    found = shutil.which("haproxy")
    if found:
        return found
    return "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None


def check(cfg_path: Path) -> str | None:
    """`haproxy -c -f CFG`: None when the configuration is valid, else HAProxy's own words."""
    proc = subprocess.run([executable() or "haproxy", "-c", "-f", str(cfg_path)],
                          capture_output=True, text=True)
    return None if proc.returncode == 0 else (proc.stdout + proc.stderr).strip()


def backend_states(stats_socket: Path, timeout: float = 2.0) -> dict[str, str]:
    """Each app process's state in HAProxy ("UP", "DOWN", "UP 1/2" while rising, "MAINT", ...);
    {} when the socket does not answer (HAProxy not started yet, or stopped)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(stats_socket))
            s.sendall(b"show stat\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
    except OSError:
        return {}
    lines = b"".join(chunks).decode(errors="replace").lstrip("# ").splitlines()
    return {row["svname"]: row["status"] for row in csv.DictReader(lines)
            if row.get("pxname") == BACKEND and row.get("svname") not in ("FRONTEND", "BACKEND")}


def parse_servers(specs: list[str]) -> list[App]:
    """HOST:PORT or HOST:FIRST-LAST, each -> Apps named after their machine and port (10-0-0-2-8601)."""
    apps = []
    for spec in specs:
        host, _, ports = spec.rpartition(":")
        first, _, last = ports.partition("-")
        if not host or not first.isdigit() or not (last or first).isdigit() or int(last or first) < int(first):
            raise SystemExit(f"{spec!r} is not HOST:PORT or HOST:FIRST-LAST (e.g. 10.0.0.2:8601-8608)")
        for port in range(int(first), int(last or first) + 1):
            apps.append(App(f"{host.replace('.', '-').replace(':', '-')}-{port}", port, host))
    return apps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.haproxy",
                                     description="Print haproxy.cfg for app processes on several machines.")
    parser.add_argument("servers", nargs="+", help="HOST:PORT or HOST:FIRST-LAST of app processes")
    parser.add_argument("--port", type=int, default=8501, help="HAProxy's port (default 8501)")
    parser.add_argument("--bind", default="*", help="HAProxy's address (default *: every interface)")
    parser.add_argument("--socket", type=Path, default=Path("/run/haproxy/attention-lab.sock"),
                        help="HAProxy's stats socket (default /run/haproxy/attention-lab.sock)")
    args = parser.parse_args(argv)
    print(render(args.port, parse_servers(args.servers), args.socket, args.bind), end="")


if __name__ == "__main__":
    main()
