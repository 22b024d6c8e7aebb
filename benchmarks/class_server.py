"""The class server that benchmarks/class_load.py measures, started on 127.0.0.1 for one run.

- one process (K = 1): `streamlit run streamlit_app.py` with a gradebook of its own: a new SQLite file
  (ATTENTION_LAB_DB), or the PostgreSQL of --database-url;
- K > 1: a PostgreSQL of its own (Debian's server in a temporary folder, started as tests/postgres.py
  does) and `./run_class.sh` from deploy/ (K app processes behind HAProxy sharing DATABASE_URL),
  which prints "ready: http://127.0.0.1:PORT" when it is up.

Both get an assignments folder of their own (ATTENTION_LAB_ASSIGNMENTS: the repository's lecture 8
first, then the benchmark's "load" assignment, which the students pick) and sign-in by roster (a roster
CSV, ATTENTION_LAB_ROSTER, with codes made by `python -m exercises.roster codes` into the gradebook) or
by class code (ATTENTION_LAB_CLASS_CODE).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from benchmarks.common import REPO, harness

ASSIGNMENT = """id = "load"
title = "Class load test"
tries = 3

[[exercise]]
family = "softmax_row"

[[exercise]]
family = "attention_weights"

[[exercise]]
family = "multi_head_shapes"

[[exercise]]
family = "causal_mask"

[[exercise]]
family = "embedding_dims"
"""
CLASS_CODE = "load-test-class"
INSTRUCTOR_PASSWORD = "load-test-projector"  # the live view's way in (the dashboard's password)
RUN_CLASS = REPO / "run_class.sh"


def assignments_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "assignments" / "lecture8.toml", folder / "lecture8.toml")
    (folder / "load.toml").write_text(ASSIGNMENT)
    return folder


def roster_codes(roster: Path, students: list[str], env: dict[str, str]) -> dict[str, str]:
    """Write the roster CSV and make every student's personal code with the app's own command, into the
    gradebook `env` names; {student: code}."""
    roster.write_text("student_id,name\n" + "".join(f"{s},Student {s}\n" for s in students))
    out = subprocess.run([sys.executable, "-m", "exercises.roster", "codes", str(roster)], cwd=REPO,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"python -m exercises.roster codes failed:\n{out.stdout}\n{out.stderr}")
    codes = dict(line.split(",", 1) for line in out.stdout.splitlines() if "," in line)
    missing = [s for s in students if s not in codes]
    if missing:
        raise SystemExit(f"no code printed for {missing[:5]} ...:\n{out.stdout[-500:]}\n{out.stderr[-500:]}")
    return codes


@contextlib.contextmanager
def postgres_server():
    """A PostgreSQL of its own on a free port of 127.0.0.1 (tests/postgres.py's way, outside pytest):
    yields (URL of an empty database, the server's postmaster pid)."""
    from tests.postgres import _as_server_user, _free_port, find_pg_bin, new_postgres_database

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run ./run_tests.sh "
                         "or `apt-get install -y postgresql`")
    prefix, owner = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="class-load-pg-"))
    data, log = root / "data", root / "server.log"
    if owner:
        shutil.chown(root, owner, owner)
    port = _free_port()
    started = False
    try:
        subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E",
                        "UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True)
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off "
                   "-c max_connections=200")
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log),
                        "-o", options], check=True, capture_output=True)
        started = True
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield new_postgres_database(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"), pid
    finally:
        if started:
            subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w"],
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def cpu_seconds(pids: list[int], reaped: bool = False) -> float:
    """User + system CPU seconds of these processes and all their children, living ones (psutil). With
    `reaped`, also the children that have ended and been waited for (the kernel adds their time to the
    parent's): PostgreSQL's backends, which come and go with the app's connections during a run, so the
    database's CPU cannot fall (it read -0.5 s in runs where pooled connections closed)."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            if reaped:
                t = proc.cpu_times()
                total += t.children_user + t.children_system
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            pass
    return total


def kill_one_app(pids: list[int]) -> tuple[int, float] | None:
    """kill -9 one of the app processes (`streamlit run`) under these pids: (its pid, the CPU seconds it had
    used, which cpu_seconds no longer counts once it is gone), or None."""
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            for p in psutil.Process(pid).children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    if "streamlit" in " ".join(p.cmdline()):
                        t = p.cpu_times()
                        p.kill()
                        return p.pid, t.user + t.system
    return None


@contextlib.contextmanager
def class_server(processes: int, students: list[str], signin: str, database_url: str | None, tmp: Path,
                 postgres: bool = False, profile: Path | None = None):
    """Start what a run needs; yields a dict: url, database_url, app_pids, db_pids, codes, gradebook, log,
    sqlite (the gradebook's file, or None). `profile` (one process): the app runs under
    benchmarks/profiled_streamlit.py, writing its cProfile there on SIGHUP (collecting from SIGUSR1)."""
    env = {"ATTENTION_LAB_ASSIGNMENTS": str(assignments_folder(tmp / "assignments")), "ATTENTION_LAB_ROSTER": "",
           "ATTENTION_LAB_CLASS_CODE": "", "ATTENTION_LAB_INSTRUCTOR_PASSWORD": INSTRUCTOR_PASSWORD}
    with contextlib.ExitStack() as stack:
        db_pids: list[int] = []
        if processes > 1 and not RUN_CLASS.exists():
            raise SystemExit(f"--processes {processes} needs ./run_class.sh (deploy/: K app processes behind "
                             f"HAProxy), which this checkout does not have yet. Use --processes 1, or --url "
                             f"with a class server you started.")
        if (processes > 1 or postgres) and not database_url:
            database_url, pg_pid = stack.enter_context(postgres_server())
            db_pids.append(pg_pid)
        if database_url:
            env.update(DATABASE_URL=database_url, ATTENTION_LAB_DB="")
            gradebook = "postgresql"
        else:
            db = tmp / "gradebook.sqlite3"
            env.update(DATABASE_URL="", ATTENTION_LAB_DB=str(db))
            database_url = f"sqlite:///{db}"
            gradebook = "sqlite"
        codes: dict[str, str | None]
        if signin == "roster":
            env["ATTENTION_LAB_ROSTER"] = str(tmp / "roster.csv")
            codes = roster_codes(tmp / "roster.csv", students, env)
        else:
            env["ATTENTION_LAB_CLASS_CODE"] = CLASS_CODE
            codes = dict.fromkeys(students, CLASS_CODE)
        port = harness.free_port()
        log_path = tmp / "server.log"
        log = stack.enter_context(open(log_path, "wb"))
        if processes == 1 and profile is not None:
            proc = subprocess.Popen([sys.executable, str(REPO / "benchmarks" / "profiled_streamlit.py"), "run",
                                     "streamlit_app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
                                     "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                    cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env={**os.environ, **env, "PROFILE_OUT": str(profile)})
            url = f"http://127.0.0.1:{port}"
            stack.callback(harness.stop, proc)
            harness.wait_healthy(url, proc)
        elif processes == 1:
            proc = harness.start_streamlit("streamlit_app.py", REPO, port, log, env=env)
            url = f"http://127.0.0.1:{port}"
            stack.callback(harness.stop, proc)
            harness.wait_healthy(url, proc)
        else:
            proc = subprocess.Popen([str(RUN_CLASS), "--processes", str(processes), "--port", str(port), "--bind",
                                     "127.0.0.1", "--logs", str(tmp / "logs")], cwd=REPO,
                                    env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=log, text=True,
                                    start_new_session=True)
            stack.callback(stop_group, proc)
            url = wait_ready(proc, log_path)
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain it: a full pipe would block
        yield {"url": url, "database_url": database_url, "app_pids": [proc.pid], "db_pids": db_pids,
               "codes": codes, "gradebook": gradebook, "log": log_path, "password": INSTRUCTOR_PASSWORD,
               "sqlite": None if gradebook != "sqlite" else tmp / "gradebook.sqlite3"}


def wait_ready(proc: subprocess.Popen, log_path: Path, timeout: float = 180.0) -> str:
    """The URL from run_class.sh's "ready: http://127.0.0.1:PORT" line."""
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if m := re.search(r"ready: (http://127\.0\.0\.1:\d+)", line):
            return m.group(1)
        if time.monotonic() > deadline:
            break
    raise SystemExit(f"./run_class.sh did not print 'ready: http://127.0.0.1:PORT' (exit {proc.poll()}):\n"
                     f"{log_path.read_text(errors='replace')[-2000:]}")


def stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
