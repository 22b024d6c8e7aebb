"""Server CPU per submit on page 6, side by side with a bare Streamlit submit (and, with --against REV,
with page 6 as it was at REV), one submit at a time, alternating between the servers.

Why: the machine's speed drifts by 10-20% over minutes (the load generator's own CPU for the same work
moves that much between runs), so two benchmark runs minutes apart cannot tell a 1 ms change in a 10 ms
figure. Here every server gets one submit in turn, round after round, so drift falls on all alike.

Each server is its own `streamlit run` (a fresh SQLite gradebook each), with --students tabs open and
signed in before the first submit (Streamlit's websocket protocol, benchmarks/st_session.py, as
benchmarks/class_load.py's students). In each round every server gets one submit from a student who has
not submitted yet: half right answers, half a known mistake (exercise 1 of class_load.py's assignment,
a softmax row). Around each submit the server process's CPU-time clock (every thread, in ns) is read,
from before the click until the run has finished and 20 ms after; the server's idle CPU rate (read
over 5 quiet seconds before the rounds, with every tab open) times the submit's wall time is taken
off. The bare app is one fragment holding a form (a text box and a Submit whose callback stores
nothing) and a line of feedback: Streamlit's own cost of a fragment's submit.

Reported: each server's median, quartiles and mean (ms), and the ratio of medians to the bare one.
Printed and saved to benchmarks/results/submit_side_by_side.json.

    .venv/bin/python benchmarks/submit_side_by_side.py [--students 60] [--against REV]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from checkout import revision
from common import REPO, harness, save, write_bare_app
from submit_cpu import cpu_s  # the process's CPU-time clock: every thread, ended ones included, in ns

from benchmarks.class_server import CLASS_CODE, assignments_folder
from benchmarks.class_students import plan
from benchmarks.st_session import Tab
from exercises import assignments as assignment_files

BARE = '''import streamlit as st


def stored():
    st.session_state.fb = f"Got {st.session_state.answer!r}."


@st.fragment
def area():
    with st.form("f"):
        st.text_input("Your answer", key="answer")
        st.form_submit_button("Submit", on_click=stored)
    st.write(st.session_state.get("fb", ""))


area()
'''


class Server:
    def __init__(self, name: str, cwd: Path, script: str, tmp: Path, stack: contextlib.ExitStack):
        self.name, self.results = name, []
        env = {"ATTENTION_LAB_ASSIGNMENTS": str(assignments_folder(tmp / "assignments")),
               "ATTENTION_LAB_DB": str(tmp / "gradebook.sqlite3"), "DATABASE_URL": "", "ATTENTION_LAB_ROSTER": "",
               "ATTENTION_LAB_CLASS_CODE": CLASS_CODE}
        port = harness.free_port()
        log = stack.enter_context(open(tmp / "server.log", "wb"))
        self.proc = harness.start_streamlit(script, cwd, port, log, env=env)
        stack.callback(harness.stop, self.proc)
        self.url = f"http://127.0.0.1:{port}"
        harness.wait_healthy(self.url, self.proc)
        self.assignment = next(a for a in assignment_files.load(tmp / "assignments")[0] if a.id == "load")
        self.tabs: list[tuple[str, Tab]] = []

    def open(self, sid: str) -> None:
        if self.name == "bare":
            tab = Tab(self.url, "")
            tab.open()
        else:
            tab = Tab(self.url, "exercises")
            tab.open()
            tab.set_value(tab.widget("text_input", "Student id"), string_value=sid)
            tab.set_value(tab.widget("text_input", "Class code"), string_value=CLASS_CODE)
            tab.click(tab.widget("button", "Sign in"))
            tab.until_finished()
            box = tab.widget("selectbox", "Assignment")
            if box.proto.raw_value != self.assignment.title:
                tab.set_value(box, string_value=self.assignment.title)
                tab.rerun()
                tab.until_finished()
        self.tabs.append((sid, tab))

    def idle_rate(self, seconds: float = 5.0) -> None:
        c0, t0 = cpu_s(self.proc.pid), time.perf_counter()
        time.sleep(seconds)
        self.idle = (cpu_s(self.proc.pid) - c0) / (time.perf_counter() - t0)

    def submit(self, i: int) -> None:
        sid, tab = self.tabs[i]
        answer = "0.1 0.2" if self.name == "bare" else plan(sid, self.assignment, 0, wrong=i % 2 == 1)["answer"]
        button = tab.widget("button", "Submit")
        box = next(w for w in tab.widgets() if w.proto.form_id == button.proto.form_id and w.id != button.id)
        tab.set_value(box, string_value=answer)
        c0, t0 = cpu_s(self.proc.pid), time.perf_counter()
        tab.click(button)
        tab.until_finished()
        time.sleep(0.02)  # what the run left for the event loop to send
        c1, t1 = cpu_s(self.proc.pid), time.perf_counter()
        self.results.append(1000 * (c1 - c0 - self.idle * (t1 - t0)))

    def summary(self) -> dict:
        r = sorted(self.results)
        return {"median_ms": statistics.median(r), "p25_ms": r[len(r) // 4], "p75_ms": r[3 * len(r) // 4],
                "mean_ms": statistics.mean(r), "idle_ms_per_s": 1000 * self.idle, "submits": len(r)}


def archive(rev: str, folder: Path) -> Path:
    """A `git archive` copy of REV in folder (the app's code only; the same .venv runs it)."""
    folder.mkdir(parents=True)
    tar = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=tar, check=True)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=60, help="tabs per server, each submits once (60)")
    ap.add_argument("--against", metavar="REV", help="also page 6 as it was at this git revision")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, contextlib.ExitStack() as stack:
        tmp = Path(tmp_name)
        apps = [("now", REPO, "streamlit_app.py")]
        if args.against:
            apps.append((args.against, archive(args.against, tmp / "against"), "streamlit_app.py"))
        bare = write_bare_app(tmp / "bare", BARE)
        apps.append(("bare", bare.parent, bare.name))
        servers = []
        for name, cwd, script in apps:
            (tmp / f"run-{len(servers)}").mkdir()
            servers.append(Server(name, cwd, script, tmp / f"run-{len(servers)}", stack))
        students = [f"s{i:03d}@example.edu" for i in range(args.students)]
        for sid in students:
            for s in servers:
                s.open(sid)
        time.sleep(2.0)
        for s in servers:
            s.idle_rate()
        for i in range(args.students):
            for s in servers[i % len(servers):] + servers[:i % len(servers)]:  # each goes first in turn
                s.submit(i)
        bare_median = servers[-1].summary()["median_ms"]
        result = {"code": revision(), "students": args.students,
                  "servers": {s.name: {**s.summary(), "ratio_to_bare": s.summary()["median_ms"] / bare_median}
                              for s in servers}}
    for name, r in result["servers"].items():
        print(f"{name:>10}: median {r['median_ms']:.2f} ms (p25 {r['p25_ms']:.2f}, p75 {r['p75_ms']:.2f}, mean "
              f"{r['mean_ms']:.2f}), {r['ratio_to_bare']:.2f}x the bare submit; idle {r['idle_ms_per_s']:.1f} ms/s")
    print(f"saved {save('submit_side_by_side', result)}")


if __name__ == "__main__":
    main()
