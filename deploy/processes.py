"""The class server's child processes (the app processes and HAProxy): started, watched, restarted
when they die, and stopped with nothing left behind.

Each child runs in a process group of its own, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops the children in order (HAProxy first, so no request reaches a stopping process). Each
child also gets SIGTERM from the kernel if the supervisor itself dies (even by kill -9): no orphans.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import time
from pathlib import Path

RESTART_DELAY_S = 1.0  # the first restart waits this long ...
MAX_RESTART_DELAY_S = 30.0  # ... doubling, up to this, while a process keeps dying young
STABLE_AFTER_S = 60.0  # a process that ran this long starts over at RESTART_DELAY_S when it dies
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux's prctl; elsewhere nothing)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Child:
    """One supervised process: `cmd` with `env`, its output appended to `log_path`."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path):
        self.name, self.cmd, self.env, self.log_path, self.cwd = name, cmd, env, log_path, cwd
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restart_at: float | None = None  # when a dead process is due to start again
        self.delay = RESTART_DELAY_S
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} started: {' '.join(self.cmd)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        self.restart_at = None

    def exited(self) -> int | None:
        """The exit code if the process has ended (and was not yet scheduled for a restart), else None."""
        if self.proc is None or self.restart_at is not None:
            return None
        return self.proc.poll()

    def schedule_restart(self) -> float:
        """Plan the next start; the delay it waits (longer each time it dies young)."""
        if time.monotonic() - self.started_at >= STABLE_AFTER_S:
            self.delay = RESTART_DELAY_S
        wait = self.delay
        self.delay = min(self.delay * 2, MAX_RESTART_DELAY_S)
        self.restart_at = time.monotonic() + wait
        return wait

    def due(self) -> bool:
        return self.restart_at is not None and time.monotonic() >= self.restart_at

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait_or_kill(self, deadline: float) -> None:
        """Wait until `deadline` (time.monotonic()) for the process to end, then kill it."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
