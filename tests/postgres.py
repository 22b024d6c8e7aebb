"""A real PostgreSQL for the tests: Debian's server in a temporary data directory on 127.0.0.1.

`postgres_url` (session) starts one server on a free port with trust authentication and yields the
SQLAlchemy URL of an empty database; `new_postgres_database(url)` makes another empty database on the
same server (a fresh one per test is cheap). The server is stopped and its directory removed after
the session. PostgreSQL refuses to run as root: as root the server runs as the `postgres` user
(made by Debian's package; created here if missing). Without PostgreSQL the fixture fails, not skips:
./run_tests.sh installs it (apt-get install postgresql).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_names = itertools.count()


def find_pg_bin() -> Path | None:
    """The bin folder of the newest PostgreSQL under /usr/lib/postgresql/*/bin, else the one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> tuple[list[str], str | None]:
    """(command prefix, user to chown to): `runuser -u postgres --` when we are root."""
    if os.geteuid() != 0:
        return [], None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
                       check=True)
    return ["runuser", "-u", "postgres", "--"], "postgres"


def new_postgres_database(url: str) -> str:
    """CREATE DATABASE on the server of `url`; the URL of the new, empty database."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"t{os.getpid()}_{next(_names)}"
    with psycopg.connect(host=base.host, port=base.port, user=base.username, dbname=base.database,
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url():
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run ./run_tests.sh, "
                    "which installs Debian's postgresql, or `apt-get install -y postgresql`")
    prefix, owner = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="attention-lab-pg-"))  # under /tmp, reachable by the postgres user
    data, log = root / "data", root / "server.log"
    if owner:
        shutil.chown(root, owner, owner)
    port = _free_port()

    def run(*args: str) -> None:
        proc = subprocess.run([*prefix, *args], capture_output=True, text=True)
        if proc.returncode != 0:
            server_log = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            pytest.fail(f"{' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{server_log}")

    started = False
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off "
                   "-c max_connections=100")
        run(str(bin_dir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", options)
        started = True
        yield new_postgres_database(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    finally:
        if started:
            subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w"],
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
