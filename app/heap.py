"""The server's garbage collector, for a process that holds a whole class.

Python's cyclic collector looks at every tracked object in its oldest generation each time it runs
that generation: here the modules a page imports (Streamlit, pandas, SQLAlchemy, numpy, the
exercises), some 180,000 objects that live as long as the process. Measured during a burst of 100
submits on page 6, each such collection held the GIL for 90-150 ms, every 5-15 s: about 1 ms of
CPU per submit, and a 100 ms stall for every session waiting to run.

`settle()` runs at the end of every full run of the app (streamlit_app.py). When the process has
imported modules since it last ran (a page's first visit), it collects once and then moves every
object still alive into the collector's permanent generation (`gc.freeze()`), which collections skip:
measured, the oldest generation's collections then took 11-39 ms. Objects that die are still freed
at once by reference counting; only cycles among frozen objects wait. So that no such cycle waits for
long (a session alive at the freeze that closes later), the freeze is undone, collected and done again
every REFREEZE_S seconds, at the end of a full run.

Left alone where AppTest runs the app (pytest's process: the tests' own objects are not the server's).
ATTENTION_LAB_GC_FREEZE=0 turns it off.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time

log = logging.getLogger(__name__)

REFREEZE_S = 600.0

_lock = threading.Lock()
_modules = 0  # len(sys.modules) at the last freeze
_frozen_at = 0.0  # time.monotonic() of the last freeze


def enabled() -> bool:
    return os.environ.get("ATTENTION_LAB_GC_FREEZE", "1") != "0" and "streamlit.testing.v1" not in sys.modules


def settle(now: float | None = None) -> bool:
    """Freeze the heap if modules were imported since the last freeze, or it is REFREEZE_S old; True if it
    did. Cheap otherwise (two comparisons). One thread at a time: a session's run that finds another
    freezing goes on without waiting."""
    if not enabled():
        return False
    now = time.monotonic() if now is None else now
    if not _due(now) or not _lock.acquire(blocking=False):
        return False
    try:
        return _due(now) and _freeze(now)  # (again under the lock: another run may have frozen it meanwhile)
    finally:
        _lock.release()


def _due(now: float) -> bool:
    return len(sys.modules) != _modules or now - _frozen_at >= REFREEZE_S


def _freeze(now: float) -> bool:
    global _modules, _frozen_at
    start = time.perf_counter()
    gc.unfreeze()  # what an earlier freeze kept and has since died is collected now
    gc.collect()
    gc.freeze()
    _modules, _frozen_at = len(sys.modules), now
    log.info("froze %d objects in %.0f ms (%d modules)", gc.get_freeze_count(), 1000 * (time.perf_counter() - start),
             _modules)
    return True
