"""Which code a benchmark measured: the commit, and the files of the app that differ from it (other
people edit app/ and core/ while benchmarks run, and the figures move with them)."""

from __future__ import annotations

import subprocess

from common import REPO


def revision() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30).stdout.rstrip("\n")
        except OSError:
            return ""

    changed = git("status", "--porcelain", "--", "app", "core", "streamlit_app.py").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": [line[3:] for line in changed]}
