"""What the class server checks before it starts anything: a PostgreSQL gradebook it can write to (and
how many connections K processes may open against its max_connections), and ports that are free.
Each refusal is a UserError that says what is wrong and what to do."""

from __future__ import annotations

import socket

from core.errors import UserError


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
