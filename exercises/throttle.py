"""A slow-down for guessing: after FREE wrong tries of a code or password, each further try waits
twice as long as the one before (1 s, 2 s, 4 s, ... at most MAX_WAIT s) after the last wrong one.

The count lives in the gradebook's database (table signin_failures), so it holds across the app
processes behind a load balancer and across restarts. Every try is counted as a failure *before* the
secret is checked (`attempt`), in one transaction with the check of the wait, so parallel tries from
several tabs or processes cannot slip past it; a right secret then clears the count (`succeeded`).
The clock is injectable: tests move time instead of sleeping.

    throttle = Throttle(engine)
    wait = throttle.attempt("code:jdoe42")
    if wait:            -> refuse without checking: "wait {wait:.0f} s"
    elif right:         -> throttle.succeeded("code:jdoe42")

This module never imports streamlit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from exercises.signin_tables import MAX_KEY, ensure, failures, insert

FREE = 5  # wrong tries with no wait
MAX_WAIT = 300.0  # seconds


def now() -> float:
    """The clock a Throttle made without one reads (looked up at each call, so a test may replace it)."""
    return time.time()


def wait_after(count: int) -> float:
    """Seconds a try must wait after the last wrong one, when `count` wrong tries are on record."""
    return 0.0 if count < FREE else min(2.0 ** (count - FREE), MAX_WAIT)


def seconds_text(wait: float) -> str:
    """A wait for a person: '1 second', '8 seconds', '5 minutes'."""
    s = max(1, math.ceil(wait))
    if s < 120:
        return f"{s} second{'s' if s != 1 else ''}"
    return f"{math.ceil(s / 60)} minutes"


class Throttle:
    def __init__(self, engine: Engine, clock: Callable[[], float] | None = None):
        self.engine = ensure(engine)
        self.clock = clock
        self._insert = insert(engine)

    def attempt(self, key: str) -> float:
        """0.0 when a try for `key` may go ahead (and it is counted as a wrong one until `succeeded`);
        else the seconds still to wait, and nothing is counted."""
        key = key[:MAX_KEY]
        t = self.clock() if self.clock else now()
        with self.engine.begin() as conn:
            # a write first: SQLite takes its write lock here, so the read below cannot go stale
            conn.execute(self._insert(failures).values(key=key, failures=0, last_at=t)
                         .on_conflict_do_nothing(index_elements=["key"]))
            query = select(failures.c.failures, failures.c.last_at).where(failures.c.key == key)
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update()
            count, last_at = conn.execute(query).one()
            wait = wait_after(count) - (t - last_at)
            if wait > 0:
                return wait
            conn.execute(update(failures).where(failures.c.key == key)
                         .values(failures=failures.c.failures + 1, last_at=t))
        return 0.0

    def succeeded(self, key: str) -> None:
        """The secret was right: forget the wrong tries for `key`."""
        with self.engine.begin() as conn:
            conn.execute(delete(failures).where(failures.c.key == key[:MAX_KEY]))

    def count(self, key: str) -> int:
        """Wrong tries on record for `key` (the try in progress included)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(failures.c.failures).where(failures.c.key == key[:MAX_KEY])).scalar()
        return found or 0
