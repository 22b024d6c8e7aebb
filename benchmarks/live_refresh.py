"""The live view's refresh (exercises/live.py snapshot: what the projector page runs every few seconds)
timed on a gradebook holding `--students` × `--tries` attempts at each of 4 exercises (a FIXED choice,
a FIXED number, a drawn vector, drawn choices; tests/test_live.py's class). Server time only: the two
queries and the Python that reads their rows, no browser.

    .venv/bin/python benchmarks/live_refresh.py                       # SQLite, in a temporary file
    .venv/bin/python benchmarks/live_refresh.py --url postgresql+psycopg://USER@HOST/EMPTY_DB
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from common import save

from exercises import live
from exercises.store import Store
from tests.test_live import CLASS, fill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--tries", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20, help="refreshes timed per exercise, after one warm-up")
    parser.add_argument("--url", help="an EMPTY database (its tables are created and filled); default: SQLite in /tmp")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='live-refresh-')}/gradebook.sqlite3"
    store = Store(url)
    rows = fill(store, args.students, args.tries)
    per_exercise = {}
    for position, item in enumerate(CLASS.items):
        live.snapshot(store, CLASS, position)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            live.snapshot(store, CLASS, position)
            times.append(time.perf_counter() - start)
        per_exercise[f"{position + 1}. {item.family_id} ({item.variant or 'drawn'})"] = {
            "median_ms": round(1000 * statistics.median(times), 2), "max_ms": round(1000 * max(times), 2)}
    store.close()
    result = {"dialect": store.dialect, "students": args.students, "tries": args.tries, "rows": rows,
              "refresh": per_exercise, "load_average": os.getloadavg()}
    for name, t in per_exercise.items():
        print(f"{store.dialect}: {name}: a refresh takes {t['median_ms']} ms (median), {t['max_ms']} ms at most")
    print(f"load average {os.getloadavg()[0]:.1f}; written to {save('live_refresh_' + store.dialect, result)}")


if __name__ == "__main__":
    main()
