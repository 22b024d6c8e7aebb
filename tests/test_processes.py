"""deploy/processes.py: a supervised child is restarted later each time it dies young, says how it
ended, and never outlives the supervisor (even one killed with kill -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from deploy import processes
from deploy.processes import Child, describe_exit
from tests.class_stack import alive, wait_for


def test_how_a_process_ended_reads_plainly():
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(3) == "exit code 3"


def test_a_process_that_keeps_dying_young_waits_longer_each_time(tmp_path):
    child = Child("app1", ["true"], dict(os.environ), tmp_path / "app1.log", tmp_path)
    child.start()
    wait_for(lambda: child.exited() is not None, 10)
    assert child.exited() == 0
    waits = [child.schedule_restart() for _ in range(7)]
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert child.exited() is None  # scheduled: not reported again
    child.started_at -= processes.STABLE_AFTER_S  # it ran a long time before it died
    assert child.schedule_restart() == processes.RESTART_DELAY_S
    assert "started: true" in (tmp_path / "app1.log").read_text()


def test_children_end_with_their_supervisor_even_after_kill_9(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(processes.__file__.rsplit('/deploy/', 1)[0])!r})
        from pathlib import Path
        from deploy.processes import Child
        child = Child("sleeper", ["sleep", "60"], dict(os.environ), Path({str(tmp_path / 'sleeper.log')!r}), Path("."))
        child.start()
        print(child.pid, flush=True)
        time.sleep(60)
    """)
    supervisor = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid = int(supervisor.stdout.readline())
    assert alive(pid)
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait()
    start = time.monotonic()
    wait_for(lambda: not alive(pid), 10)
    assert time.monotonic() - start < 10
