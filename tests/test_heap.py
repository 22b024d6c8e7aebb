"""app/heap.py: the server's heap goes to the collector's permanent generation after imports, again
every REFREEZE_S, and what a freeze kept and has since died is collected by the next one. Each case runs
in a fresh interpreter: pytest's own process runs AppTest, where settle() leaves the collector alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(code: str, **env: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                         timeout=120, env={"PATH": "/usr/bin:/bin", **env})
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_freezes_after_imports_and_again_when_modules_come_or_time_passes():
    assert run("""
        import gc, time
        import numpy  # a module's objects live as long as the process
        from app import heap
        t = time.monotonic()
        first = heap.settle(t)
        frozen = gc.get_freeze_count()
        again = heap.settle(t + 1)  # nothing imported, not old: nothing to do
        import wave  # a page's first visit imports modules
        after_import = heap.settle(t + 2)
        later = heap.settle(t + 2 + heap.REFREEZE_S)
        print(first, frozen > 10_000, again, after_import, later)
    """) == "True True False True True"


def test_a_cycle_frozen_alive_that_dies_is_collected_by_the_next_freeze():
    assert run("""
        import gc, time, weakref
        from app import heap

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the cyclic collector frees it
        gone = weakref.ref(a)
        t = time.monotonic()
        heap.settle(t)  # frozen while alive (a session open at the freeze)
        del a, b  # the session closes
        gc.collect()
        kept = gone() is not None  # frozen objects are not collected...
        heap.settle(t + heap.REFREEZE_S)  # ...until the freeze is undone, collected and done again
        print(kept, gone() is None)
    """) == "True True"


def test_off_with_the_setting_and_under_apptest():
    assert run("""
        import gc
        from app import heap
        print(heap.settle(), gc.get_freeze_count())
    """, ATTENTION_LAB_GC_FREEZE="0") == "False 0"
    assert run("""
        import gc
        import streamlit.testing.v1
        from app import heap
        print(heap.settle(), gc.get_freeze_count())
    """) == "False 0"


def test_the_app_settles_after_every_full_run():
    source = (REPO / "streamlit_app.py").read_text()
    assert "finally:" in source and "heap.settle()" in source.split("finally:", 1)[1]
