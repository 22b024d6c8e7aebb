"""`streamlit ...` under cProfile in every thread, timing each thread's own CPU (time.thread_time), for
benchmarks/submit_cpu.py --profile.

Collection is off at start. SIGUSR1 turns it on: the main thread (the server's event loop) is profiled,
and so is every thread started while it is on (Streamlit runs each script run in a thread of its own).
SIGUSR2 turns it off (threads already profiled finish their work profiled). SIGHUP writes everything
collected into PROFILE_OUT (pstats format).

    PROFILE_OUT=server.prof python benchmarks/profiled_streamlit.py run streamlit_app.py ...
"""

from __future__ import annotations

import cProfile
import os
import pstats
import signal
import sys
import threading
import time

_lock = threading.Lock()
_profiles: list[cProfile.Profile] = []
_on = False


def _new() -> cProfile.Profile:
    p = cProfile.Profile(time.thread_time)
    with _lock:
        _profiles.append(p)
    return p


def _thread_start(_frame, _event, _arg):
    """The first profile event of a new thread: a profiler of the thread's own while collecting."""
    sys.setprofile(None)
    if _on:
        _new().enable()


_main = _new()


def _start(_sig, _frame) -> None:
    global _on
    _on = True
    _main.enable()


def _pause(_sig, _frame) -> None:
    global _on
    _on = False
    _main.disable()


def _dump(_sig, _frame) -> None:
    _pause(None, None)
    with _lock:
        profiles = [p for p in _profiles if p.getstats()]
    stats = pstats.Stats(profiles[0])
    for p in profiles[1:]:
        stats.add(p)
    stats.dump_stats(os.environ["PROFILE_OUT"])


if __name__ == "__main__":
    threading.setprofile(_thread_start)
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _pause)
    signal.signal(signal.SIGHUP, _dump)
    from streamlit.web.cli import main

    sys.argv = ["streamlit", *sys.argv[1:]]
    main()
