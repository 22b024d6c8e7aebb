"""A class server on one machine: K app processes behind HAProxy, one PostgreSQL gradebook.

    ./run_class.sh [--processes K] [--port 8501] [--bind ADDRESS] [--database-url URL] [--logs DIR]
    python -m deploy.class_server ...     the same, without run_class.sh's install step

It checks the settings (DATABASE_URL must name a PostgreSQL it can write to), creates the gradebook's
tables once, starts K `streamlit run` processes on 127.0.0.1 ports of their own, writes haproxy.cfg from
deploy/haproxy.cfg.template into the log folder, starts HAProxy on PORT, and prints
"ready: http://127.0.0.1:PORT" when HAProxy sees all K processes healthy. Then it watches: a process
that dies is started again (after 1 s, longer if it keeps dying); Ctrl-C or SIGTERM stops everything it
started. The log folder holds haproxy.cfg, haproxy.log (one line per request, and every process going
down or up), app1.log ... appK.log, and pids (name, pid, port of every running process).

Every app process gets the same settings: DATABASE_URL, the ATTENTION_LAB_* variables, the same
.streamlit/secrets.toml (its [auth] cookie_secret is what makes a single sign-on hold on every process),
and the same server.cookieSecret (STREAMLIT_SERVER_COOKIE_SECRET if set, else one made for this run),
with which Streamlit signs its XSRF cookie.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path

from core.errors import UserError
from deploy import haproxy
from deploy.processes import Child, describe_exit

REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 180.0  # K processes starting at once on a busy machine are slow
STOP_GRACE_S = 10.0


def cpu_count() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_class.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", "-k", type=int, default=cpu_count(),
                        help="app processes (default: the number of CPUs, here %(default)s)")
    parser.add_argument("--port", "-p", type=int, default=8501, help="HAProxy's port (default 8501)")
    parser.add_argument("--bind", default="*",
                        help="HAProxy's address (default *: every interface; 127.0.0.1 for this machine only)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="the PostgreSQL gradebook (default: $DATABASE_URL)")
    parser.add_argument("--logs", type=Path, default=REPO / "logs" / "class-server",
                        help="the log folder (default logs/class-server)")
    return parser.parse_args(argv)


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# checks before anything starts


def check_database_url(url: str) -> str:
    """The SQLAlchemy URL of the PostgreSQL gradebook; UserError when there is none."""
    from exercises.store import resolve_url

    if not url.strip():
        raise UserError("DATABASE_URL is not set: the app processes of a class server share one PostgreSQL "
                        "gradebook. Set it, e.g. DATABASE_URL=postgresql://lab:PASSWORD@127.0.0.1/lab "
                        "./run_class.sh, or pass --database-url (./run_app.sh runs one process on SQLite).")
    resolved = resolve_url(url.strip())
    if not resolved.startswith("postgresql"):
        raise UserError(f"DATABASE_URL names {resolved.split(':')[0]}, not PostgreSQL: several processes need "
                        "a database server they all reach. Give a postgresql://user:password@host/db URL.")
    return resolved


def check_gradebook(url: str, processes: int) -> list[str]:
    """Create the tables once (not K processes at once) and check the gradebook can be written; the
    lines to print about PostgreSQL's connections. UserError when it cannot be used."""
    from sqlalchemy import text

    from exercises.store import GradebookError, Store
    from exercises.store.connect import pool_sizes

    try:
        store = Store(url)
    except GradebookError as err:
        raise UserError(f"The gradebook at {_safe(url)} cannot be used: {err} Check that PostgreSQL runs "
                        "there and that the user, password and database in DATABASE_URL are right.") from err
    try:
        if problem := store.writable_problem():
            raise UserError(f"The gradebook at {_safe(url)} cannot be written to: {problem}")
        with store.engine.connect() as conn:
            allowed = int(conn.execute(text("SHOW max_connections")).scalar_one())
            reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    finally:
        store.close()
    size, overflow = pool_sizes()
    need, room = processes * (size + overflow), allowed - reserved
    lines = [f"gradebook: {_safe(url)}; {processes} processes x up to {size + overflow} connections "
             f"(pool {size} + overflow {overflow}) = {need} of the {room} PostgreSQL allows"]
    if need > room:
        fit = max(1, room // processes)
        lines.append(f"warning: {need} connections may be more than PostgreSQL's max_connections allows ({room} "
                     f"for applications): raise max_connections, or set ATTENTION_LAB_DB_POOL_SIZE and "
                     f"ATTENTION_LAB_DB_MAX_OVERFLOW to sum to {fit} or less per process")
    return lines


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def check_port(bind: str, port: int) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("" if bind == "*" else bind, port))
        except OSError as err:
            raise UserError(f"Port {port} cannot be used ({err.strerror}): another server (./run_app.sh?) may "
                            "be on it. Stop it, or pass --port with another port.") from err


def free_ports(n: int) -> list[int]:
    """N ports free on 127.0.0.1 now, all different."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# ---------------------------------------------------------------------------------------------
# running


class ClassServer:
    def __init__(self, args: argparse.Namespace, database_url: str):
        self.logs = args.logs.resolve()
        self.port, self.bind = args.port, args.bind
        self.socket = self.logs / "haproxy.sock"
        self.stopping = False
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
        self.apps = [haproxy.App(f"app{i + 1}", port) for i, port in enumerate(free_ports(args.processes))]
        self.children = {
            a.name: Child(a.name, [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                                   "--server.port", str(a.port), "--server.address", "127.0.0.1",
                                   "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                          env, self.logs / f"{a.name}.log", REPO)
            for a in self.apps}
        cfg = self.logs / "haproxy.cfg"
        cfg.write_text(haproxy.render(self.port, self.apps, self.socket, args.bind))
        if problem := haproxy.check(cfg):
            raise UserError(f"HAProxy refuses {cfg}: {problem}. Fix deploy/haproxy.cfg.template.")
        self.proxy = Child("haproxy", [haproxy.executable(), "-db", "-f", str(cfg)], dict(os.environ),
                           self.logs / "haproxy.log", REPO)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            for child in self.children.values():
                child.start()
            self._write_pids()
            if not self._wait(self._apps_healthy, "the app processes to answer /_stcore/health"):
                return 1
            self.proxy.start()
            self._write_pids()
            if not self._wait(self._all_up, "HAProxy to see every app process up"):
                return 1
            host = "127.0.0.1" if self.bind in ("*", "0.0.0.0", "::") else self.bind
            say(f"ready: http://{host}:{self.port} ({len(self.apps)} app processes behind HAProxy; "
                f"logs in {self.logs})")
            while not self.stopping:
                self._watch()
                time.sleep(0.2)
            return 0
        finally:
            self._stop()

    def _on_signal(self, signum, _frame) -> None:
        if not self.stopping:
            say(f"{signal.Signals(signum).name}: stopping HAProxy and {len(self.children)} app processes")
        self.stopping = True

    def _wait(self, ready, what: str) -> bool:
        """Wait for ready() up to READY_TIMEOUT_S; False (with a message) when it timed out, a stop was
        asked, or a process ended meanwhile (a process that cannot start is not restarted over and over:
        its log's last lines say why)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.stopping:
            if ready():
                return True
            for child in [*self.children.values(), self.proxy]:
                if (code := child.exited()) is not None:
                    tail = child.log_path.read_text(errors="replace").splitlines()[-20:]
                    say(f"error: {child.name} ended ({describe_exit(code)}) before the class server was ready; "
                        f"the end of {child.log_path}:\n" + "\n".join(tail))
                    return False
            if time.monotonic() > deadline:
                say(f"error: timed out after {READY_TIMEOUT_S:.0f} s waiting for {what}: see the logs in {self.logs}")
                return False
            time.sleep(0.2)
        return False

    def _apps_healthy(self) -> bool:
        return all(_healthy(a.port) for a in self.apps)

    def _all_up(self) -> bool:
        states = haproxy.backend_states(self.socket)
        return len(states) == len(self.apps) and all(s == "UP" for s in states.values())

    def _watch(self) -> None:
        """Restart what died: an app process (HAProxy has marked it down by now) or HAProxy itself."""
        for child in [*self.children.values(), self.proxy]:
            code = child.exited()
            if code is not None and not self.stopping:
                wait = child.schedule_restart()
                say(f"{child.name} (pid {child.pid}) ended ({describe_exit(code)}): starting it again in {wait:g} s")
            elif child.due() and not self.stopping:
                child.start()
                child.restarts += 1
                self._write_pids()
                say(f"{child.name} started again (pid {child.pid}, restart {child.restarts})")

    def _write_pids(self) -> None:
        ports = {a.name: a.port for a in self.apps} | {"haproxy": self.port}
        lines = [f"{c.name} {c.pid} {ports[c.name]}" for c in [*self.children.values(), self.proxy] if c.pid]
        (self.logs / "pids").write_text("\n".join(lines) + "\n")

    def _stop(self) -> None:
        """HAProxy first (no new request reaches a stopping process), then every app process; whatever
        has not ended after STOP_GRACE_S is killed."""
        self.stopping = True
        children = [self.proxy, *self.children.values()]
        for child in children:
            child.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for child in children:
            child.wait_or_kill(deadline)
        (self.logs / "pids").unlink(missing_ok=True)
        say("stopped")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.processes < 1:
            raise UserError(f"--processes {args.processes} is not a number of processes: give 1 or more.")
        database_url = check_database_url(args.database_url)
        if haproxy.executable() is None:
            raise UserError("HAProxy is not installed: run `apt-get install haproxy` (./run_class.sh does it).")
        check_port(args.bind, args.port)
        lines = check_gradebook(database_url, args.processes)
        args.logs.mkdir(parents=True, exist_ok=True)
        server = ClassServer(args, database_url)
    except UserError as err:
        print(f"run_class.sh: {err}", file=sys.stderr, flush=True)
        return 2
    for line in lines:
        say(line)
    say(f"starting {len(server.apps)} app processes on 127.0.0.1 ports "
        f"{', '.join(str(a.port) for a in server.apps)}, HAProxy on {args.bind}:{args.port}")
    return server.run()


if __name__ == "__main__":
    sys.exit(main())
