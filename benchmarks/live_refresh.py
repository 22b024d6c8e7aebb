"""The live view's refresh (exercises/live.py snapshot: what the projector page runs every few seconds)
timed on a gradebook holding `--students` × `--tries` attempts at each of 4 exercises (a FIXED choice,
a FIXED number, a drawn vector, drawn choices; tests/test_live.py's class). Server time only: the two
queries and the Python that reads their rows, no browser. With --server, also the whole refresh as the
server pays for it: a Streamlit server (SQLite) with /live?every=1 open in Chromium, its CPU time per
second minus the same server's with only the home page open.

    .venv/bin/python benchmarks/live_refresh.py                       # SQLite, in a temporary file
    .venv/bin/python benchmarks/live_refresh.py --server              # and the server's CPU per refresh
    .venv/bin/python benchmarks/live_refresh.py --url postgresql+psycopg://USER@HOST/EMPTY_DB
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import harness, save

from exercises import live
from exercises.store import Store
from tests.test_live import CLASS, fill

ASSIGNMENT = 'id = "ice"\ntries = 3\n' + "".join(
    f'[[exercise]]\nfamily = "{item.family_id}"\n' + (f'variant = "{item.variant}"\n' if item.variant else "")
    for item in CLASS.items)


def snapshot_times(store: Store, runs: int) -> dict:
    per_exercise = {}
    for position, item in enumerate(CLASS.items):
        live.snapshot(store, CLASS, position)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            live.snapshot(store, CLASS, position)
            times.append(time.perf_counter() - start)
        per_exercise[f"{position + 1}. {item.family_id} ({item.variant or 'drawn'})"] = {
            "median_ms": round(1000 * statistics.median(times), 2), "max_ms": round(1000 * max(times), 2)}
    return per_exercise


def server_cpu(db: Path, seconds: float = 20.0) -> dict:
    """CPU ms per second of a Streamlit server with /live?every=1 open on exercises 3 and 1, and idle."""
    import psutil
    from playwright.sync_api import sync_playwright

    folder = db.parent / "assignments"
    folder.mkdir(exist_ok=True)
    (folder / "ice.toml").write_text(ASSIGNMENT)
    env = {"ATTENTION_LAB_DB": str(db), "ATTENTION_LAB_ASSIGNMENTS": str(folder), "DATABASE_URL": "",
           "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "bench", "ATTENTION_LAB_CLASS_CODE": ""}
    port = harness.free_port()
    with open(db.parent / "server.log", "wb") as log:
        proc = harness.start_streamlit("streamlit_app.py", harness.REPO, port, log, env=env)
    url = f"http://127.0.0.1:{port}"
    server = psutil.Process(proc.pid)

    def cpu_ms_per_s() -> float:
        c0, t0 = sum(server.cpu_times()[:2]), time.monotonic()
        time.sleep(seconds)
        return 1000 * (sum(server.cpu_times()[:2]) - c0) / (time.monotonic() - t0)

    result = {}
    try:
        harness.wait_healthy(url, proc)
        with sync_playwright() as pw:
            browser = harness.launch_chromium(pw)
            page = harness.offline_context(browser, []).new_page()
            for position in (3, 1):
                page.goto(f"{url}/live?assignment=ice&exercise={position}&every=1")
                page.get_by_label("Password", exact=True).fill("bench")
                page.get_by_role("button", name="Open the dashboard").click()
                page.wait_for_selector(".al-live-count")
                time.sleep(3)
                result[f"exercise {position}, every=1"] = round(cpu_ms_per_s(), 1)
            page.goto(f"{url}/")
            time.sleep(3)
            result["home page only"] = round(cpu_ms_per_s(), 1)
            browser.close()
    finally:
        harness.stop(proc)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--tries", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20, help="refreshes timed per exercise, after one warm-up")
    parser.add_argument("--url", help="an EMPTY database (its tables are created and filled); default: SQLite in /tmp")
    parser.add_argument("--server", action="store_true", help="also a server's CPU per refresh (SQLite only)")
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp(prefix="live-refresh-")) / "gradebook.sqlite3"
    store = Store(args.url or f"sqlite:///{db}")
    rows = fill(store, args.students, args.tries)
    result = {"dialect": store.dialect, "students": args.students, "tries": args.tries, "rows": rows,
              "refresh": snapshot_times(store, args.runs)}
    store.close()
    for name, t in result["refresh"].items():
        print(f"{store.dialect}: {name}: a refresh takes {t['median_ms']} ms (median), {t['max_ms']} ms at most")
    if args.server and not args.url:
        cpu = result["server_cpu_ms_per_s"] = server_cpu(db)
        for name, ms in cpu.items():
            print(f"server CPU with {name}: {ms} ms per second")
    result["load_average"] = os.getloadavg()
    print(f"load average {os.getloadavg()[0]:.1f}; written to {save('live_refresh_' + store.dialect, result)}")


if __name__ == "__main__":
    main()
