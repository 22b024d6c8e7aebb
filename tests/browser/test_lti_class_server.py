"""LTI 1.3 on a class server: deploy/class_server.py starts lti_app.py in each of its 2 app processes
behind HAProxy when ATTENTION_LAB_LTI_PLATFORMS is set, on one PostgreSQL gradebook. A student's launch
through HAProxy (login, launch and page may land on different processes: states, nonces and hand-offs
are in the shared database) opens page 6 signed in, and the score reaches the real platform once."""

from __future__ import annotations

import re
import sys
import time

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from tests import class_stack
from tests.browser import harness
from tests.browser.test_lti import ASSIGNMENT
from tests.lti_platform import lti_platform
from tests.postgres import new_postgres_database

pytestmark = pytest.mark.browser


def test_a_launch_through_haproxy_signs_in_and_the_score_reaches_the_lms(chromium, tmp_path, postgres_url,
                                                                         monkeypatch):
    (tmp_path / "assignments").mkdir()
    (tmp_path / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(tmp_path / "assignments"))
    port = harness.free_port()
    with lti_platform(f"http://127.0.0.1:{port}") as lms:
        (tmp_path / "platforms.toml").write_text(lms.config_toml())
        env = {"ATTENTION_LAB_ASSIGNMENTS": str(tmp_path / "assignments"), "ATTENTION_LAB_CLASS_CODE": "",
               "DATABASE_URL": "", "ATTENTION_LAB_LTI_PLATFORMS": str(tmp_path / "platforms.toml"),
               "ATTENTION_LAB_LTI_KEY": str(tmp_path / "tool_key.pem"), "ATTENTION_LAB_LTI_URL": ""}
        logs = tmp_path / "logs"
        cmd = [sys.executable, "-m", "deploy.class_server", "--processes", "2", "--port", str(port), "--bind",
               "127.0.0.1", "--database-url", new_postgres_database(postgres_url), "--logs", str(logs)]
        proc, url = class_stack.start(cmd, env, tmp_path / "out.log")
        context = harness.offline_context(chromium, [])
        try:
            apps = {name: pid for name, pid in class_stack.pids(logs).items() if name.startswith("app")}
            assert len(apps) == 2 and all(b"lti_app.py" in open(f"/proc/{pid}/cmdline", "rb").read()
                                          for pid in apps.values())
            page = context.new_page()
            page.goto(lms.launch_url("zoe", assignment="practice"))
            expect(page.get_by_text("Signed in as zoe@uni.example")).to_be_visible(timeout=60_000)
            assignment = assignment_files.load()[0][0]
            right = softmax_row.solve(practice.exercise("zoe@uni.example", assignment, 0).params)
            page.get_by_label(re.compile(r"^Your answer")).fill(right)
            page.get_by_role("button", name="Submit").click()
            expect(page.locator('[data-testid="stAlert"]', has_text="Correct.")).to_be_visible()
            deadline = time.monotonic() + 30
            while not lms.scores_for("zoe") and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(3)  # two processes' workers: still one POST
            scores = lms.scores_for("zoe")
            assert [(s["scoreGiven"], s["scoreMaximum"]) for s in scores] == [(1.0, 2.0)]
            assert len(lms.lineitems) == 1
        finally:
            context.close()
            assert class_stack.stop(proc) == 0
            for log in logs.glob("app*.log"):
                text = log.read_text(errors="replace")
                assert "Traceback" not in text, text[-4000:]
