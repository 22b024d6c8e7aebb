"""A class server on one machine: K app processes behind HAProxy, one PostgreSQL gradebook.

    ./run_class.sh [--processes K] [--port 8501] [--bind ADDRESS] [--database-url URL] [--logs DIR]
    python -m deploy.class_server ...     the same, without run_class.sh's install step
    ./run_class.sh ... -- --secrets.files PATH   arguments after -- go to every `streamlit run`
    ./run_class.sh --apps-only --app-address 10.0.0.2 --first-app-port 8601   the app processes of one
                                          machine, for an HAProxy on another (README "Past one machine")

It checks the settings (DATABASE_URL must name a PostgreSQL it can write to), creates the gradebook's
tables once, starts K `streamlit run` processes on 127.0.0.1 ports of their own, writes haproxy.cfg from
deploy/haproxy.cfg.template into the log folder, starts HAProxy on PORT, and prints
"ready: http://127.0.0.1:PORT" when HAProxy sees all K processes healthy. Then it watches: a process
that dies is started again (after 1 s, longer if it keeps dying); Ctrl-C or SIGTERM stops everything it
started. The log folder holds class_server.log (what it printed), haproxy.cfg, haproxy.log (one line per
request, and every process going down or up), app1.log ... appK.log, and pids (name, pid and port of
every running process).

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
import sys
import time
import urllib.request
from pathlib import Path

from core.errors import UserError
from deploy import haproxy
from deploy.checks import check_database_url, check_gradebook, check_port, free_ports
from deploy.processes import Child, describe_exit
from exercises.lti.config import entry_script

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
    parser = argparse.ArgumentParser(prog="run_class.sh", description=__doc__.split("\n\n")[0],
                                     epilog="Arguments after -- go to every `streamlit run`, e.g. "
                                            "-- --secrets.files /etc/attention-lab/secrets.toml")
    parser.add_argument("--processes", "-k", type=int, default=cpu_count(),
                        help="app processes (default: the number of CPUs, here %(default)s)")
    parser.add_argument("--port", "-p", type=int, default=8501, help="HAProxy's port (default 8501)")
    parser.add_argument("--bind", default="*",
                        help="HAProxy's address (default *: every interface; 127.0.0.1 for this machine only)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="the PostgreSQL gradebook (default: $DATABASE_URL)")
    parser.add_argument("--app-address", default="127.0.0.1",
                        help="the address the app processes listen on (default 127.0.0.1: only HAProxy reaches them)")
    parser.add_argument("--first-app-port", type=int, default=0,
                        help="app processes on this port and the next ones (default: free ports)")
    parser.add_argument("--apps-only", action="store_true",
                        help="run the app processes only, for an HAProxy on another machine (see README)")
    parser.add_argument("--logs", type=Path, default=REPO / "logs" / "class-server",
                        help="the log folder (default logs/class-server)")
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    args.streamlit_args = argv[cut + 1:]
    return args


_journal: list[Path] = []  # the log folder's class_server.log, once there is a folder


def say(text: str) -> None:
    """A line for the person (or script) that started the class server, also kept in class_server.log."""
    print(text, flush=True)
    for path in _journal:
        with open(path, "a") as f:
            f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")


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
        ports = (list(range(args.first_app_port, args.first_app_port + args.processes)) if args.first_app_port
                 else free_ports(args.processes))
        host = "127.0.0.1" if args.app_address in ("0.0.0.0", "::") else args.app_address  # for health checks
        self.apps = [haproxy.App(f"app{i + 1}", port, host) for i, port in enumerate(ports)]
        self.children = {
            a.name: Child(a.name, [sys.executable, "-m", "streamlit", "run", entry_script(),  # lti_app.py with LTI
                                   "--server.port", str(a.port), "--server.address", args.app_address,
                                   "--server.headless", "true", "--browser.gatherUsageStats", "false",
                                   *args.streamlit_args],
                          env, self.logs / f"{a.name}.log", REPO)
            for a in self.apps}
        self.proxy = None
        if not args.apps_only:
            cfg = self.logs / "haproxy.cfg"
            cfg.write_text(haproxy.render(self.port, self.apps, self.socket, args.bind))
            if problem := haproxy.check(cfg):
                raise UserError(f"HAProxy refuses {cfg}: {problem}. Fix deploy/haproxy.cfg.template.")
            self.proxy = Child("haproxy", [haproxy.executable(), "-db", "-f", str(cfg)], dict(os.environ),
                               self.logs / "haproxy.log", REPO)
        self.everything = [*self.children.values(), *([self.proxy] if self.proxy else [])]

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            for child in self.children.values():
                child.start()
            self._write_pids()
            if not self._wait(self._apps_healthy, "the app processes to answer /_stcore/health"):
                return 1
            if self.proxy is None:
                say(f"ready: {len(self.apps)} app processes on {self.apps[0].host} ports "
                    f"{', '.join(str(a.port) for a in self.apps)} (no HAProxy here; logs in {self.logs})")
            else:
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
            say(f"{signal.Signals(signum).name}: stopping {'HAProxy and ' if self.proxy else ''}"
                f"{len(self.children)} app processes")
        self.stopping = True

    def _wait(self, ready, what: str) -> bool:
        """Wait for ready() up to READY_TIMEOUT_S; False (with a message) when it timed out, a stop was
        asked, or a process ended meanwhile (a process that cannot start is not restarted over and over:
        its log's last lines say why)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.stopping:
            if ready():
                return True
            for child in self.everything:
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
        return all(_healthy(a.host, a.port) for a in self.apps)

    def _all_up(self) -> bool:
        states = haproxy.backend_states(self.socket)
        return len(states) == len(self.apps) and all(s == "UP" for s in states.values())

    def _watch(self) -> None:
        """Restart what died: an app process (HAProxy has marked it down by now) or HAProxy itself."""
        for child in self.everything:
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
        lines = [f"{c.name} {c.pid} {ports[c.name]}" for c in self.everything if c.pid]
        (self.logs / "pids").write_text("\n".join(lines) + "\n")

    def _stop(self) -> None:
        """HAProxy first (no new request reaches a stopping process), then every app process; whatever
        has not ended after STOP_GRACE_S is killed."""
        self.stopping = True
        children = self.everything[::-1]  # HAProxy, when there is one, first
        for child in children:
            child.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for child in children:
            child.wait_or_kill(deadline)
        (self.logs / "pids").unlink(missing_ok=True)
        say("stopped")


def _healthy(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.processes < 1:
            raise UserError(f"--processes {args.processes} is not a number of processes: give 1 or more.")
        database_url = check_database_url(args.database_url)
        if haproxy.executable() is None and not args.apps_only:
            raise UserError("HAProxy is not installed: run `apt-get install haproxy` (./run_class.sh does it).")
        if not args.apps_only:
            check_port(args.bind, args.port)
        for port in range(args.first_app_port, args.first_app_port + args.processes) if args.first_app_port else ():
            check_port(args.app_address, port)
        lines = check_gradebook(database_url, args.processes)
        args.logs.mkdir(parents=True, exist_ok=True)
        server = ClassServer(args, database_url)
        _journal.append(args.logs / "class_server.log")
    except UserError as err:
        print(f"run_class.sh: {err}", file=sys.stderr, flush=True)
        return 2
    for line in lines:
        say(line)
    say(f"starting {len(server.apps)} app processes on {args.app_address} ports "
        f"{', '.join(str(a.port) for a in server.apps)}"
        + ("" if args.apps_only else f", HAProxy on {args.bind}:{args.port}"))
    return server.run()


if __name__ == "__main__":
    sys.exit(main())
