"""A student on a class server (deploy/class_server.py: 2 app processes behind a real HAProxy, a real
PostgreSQL) whose process dies: after kill -9 of it, HAProxy marks it down and Streamlit's page
reconnects through HAProxy to the other process (the same page, never reloaded); that process holds a
new session, so the student's next click shows the sign-in box; they sign in again, find exercise 1
solved, answer exercise 2, and the gradebook holds each attempt exactly once. The test prints the
seconds until HAProxy noticed the process fail (a failed check), until the page reconnected, and until the sign-in box."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from deploy import haproxy
from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from exercises.store import Store
from tests import class_stack
from tests.browser import harness
from tests.browser.harness import wait_settled
from tests.browser.test_exercises import alert, submit
from tests.browser.test_sso import ACCOUNTS, SETTINGS
from tests.browser.test_sso import sign_in as sso_sign_in
from tests.oidc_provider import oidc_provider, secrets_toml
from tests.postgres import new_postgres_database

pytestmark = pytest.mark.browser


ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    tries = 3
    [[exercise]]
    family = "softmax_row"
    count = 2
""")


@contextmanager
def running_class_server(folder, postgres_url, port, streamlit_args=()):
    """python -m deploy.class_server with 2 processes behind HAProxy on 127.0.0.1:PORT, a database of its
    own, the assignment above; stopped after (SIGTERM, exit code 0), and no app log holds a traceback."""
    (folder / "practice.toml").write_text(ASSIGNMENT)
    db, logs = new_postgres_database(postgres_url), folder / "logs"
    env = {"ATTENTION_LAB_ASSIGNMENTS": str(folder), "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": ""}
    cmd = [sys.executable, "-m", "deploy.class_server", "--processes", "2", "--port", str(port),
           "--bind", "127.0.0.1", "--database-url", db, "--logs", str(logs), "--", *streamlit_args]
    proc, url = class_stack.start(cmd, env, folder / "out.log")
    try:
        yield {"url": url, "db": db, "folder": folder, "logs": logs}
    finally:
        assert class_stack.stop(proc) == 0
        for log in logs.glob("app*.log"):
            text = log.read_text(errors="replace")
            assert "Traceback" not in text, text[-4000:]


@pytest.fixture(scope="module")
def class_server(tmp_path_factory, postgres_url):
    with running_class_server(tmp_path_factory.mktemp("class-server"), postgres_url, harness.free_port()) as server:
        yield server


def server_of(page) -> str:
    """The app process HAProxy pinned this browser to (the value of its cookie)."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == haproxy.COOKIE)


def kill_the_process_of(page, server) -> tuple[float, float, float]:
    """kill -9 of the app process this page is on; (when, seconds until HAProxy noticed it fail, seconds
    until the same page, never reloaded, reconnected: a new websocket, on the other process)."""
    first = server_of(page)
    sockets = []  # Streamlit's websocket: a new one is the page reconnecting, through HAProxy
    page.on("websocket", lambda ws: sockets.append(time.monotonic()))
    pid = class_stack.pids(server["logs"])[first]
    os.kill(pid, signal.SIGKILL)
    killed, down = time.monotonic(), None
    sock = server["logs"] / "haproxy.sock"
    while (down is None or not sockets) and time.monotonic() - killed < 30:
        # HAProxy's checks fail: "UP 1/2" (going down), DOWN, or counted as marked down (chkdown); on a quiet
        # machine the supervisor's restart can answer before the second failed check, so DOWN may never show
        if down is None and (haproxy.backend_states(sock).get(first, "UP") != "UP"
                             or int(haproxy.backend_stats(sock).get(first, {}).get("chkdown") or 0) >= 1):
            down = time.monotonic() - killed
        page.wait_for_timeout(100)
    assert down is not None and sockets, f"HAProxy noticed {first} fail after {down} s; reconnected: {sockets}"
    # the reconnect went to the other process (redispatched, with a new cookie), or to the killed one's restart
    assert server_of(page) != first or class_stack.pids(server["logs"]).get(first) != pid
    return killed, down, sockets[0] - killed


def test_a_student_whose_process_is_killed_continues_on_the_other(page, class_server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(class_server["folder"]))
    assignment = assignment_files.load()[0][0]
    p0 = practice.exercise("lin", assignment, 0).params
    p1 = practice.exercise("lin", assignment, 1).params

    page.goto(f"{class_server['url']}/exercises?assignment=practice")
    page.get_by_label("Student id").fill("lin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    wait_settled(page)
    submit(page, softmax_row.solve(p0))
    expect(alert(page, "Correct.")).to_be_visible()
    first = server_of(page)

    killed, down, back = kill_the_process_of(page, class_server)
    # The page still shows what it showed; the new process holds a new, empty session, so the
    # student's next click shows the sign-in box (with single sign-on they would still be signed in).
    page.get_by_role("button", name="Next exercise ▶").click()
    box = page.get_by_label("Student id")
    expect(box).to_be_visible()
    print(f"\nkill -9 of {first}: HAProxy noticed it after {down:.1f} s; the page reconnected to the other "
          f"process after {back:.1f} s; the click after it showed the sign-in box {time.monotonic() - killed:.1f} s "
          "after the kill")
    box.fill("lin")  # signing in again on the other process: the progress is in the shared gradebook
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text("1 of 2")).to_be_visible()
    expect(page.get_by_text(softmax_row.prompt(p1)[:60])).to_be_visible()  # opens at the unfinished one
    wait_settled(page)
    submit(page, softmax_row.solve(p1))
    expect(alert(page, "Correct.")).to_be_visible()

    store = Store(class_server["db"])
    rows = store.attempts("lin", "practice")
    store.close()
    assert [(r.position, r.score) for r in rows] == [(0, 1), (1, 1)]  # each attempt once, none lost


def test_with_single_sign_on_the_student_is_still_signed_in_on_the_other_process(chromium, tmp_path, postgres_url,
                                                                                 monkeypatch):
    """The same kill -9, with st.login through a real OpenID Connect provider: both processes read the
    same secrets.toml, so the sign-in cookie holds on the other process and the student simply goes on."""
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    with oidc_provider(tmp_path, harness.free_port(), [f"{url}/oauth2callback"], {"ada": ACCOUNTS["ada"]}) as provider:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(secrets_toml(provider, f"{url}/oauth2callback", **SETTINGS))
        with running_class_server(tmp_path, postgres_url, port, ("--secrets.files", str(secrets_file))) as server:
            monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(tmp_path))
            assignment = assignment_files.load()[0][0]
            p0 = practice.exercise("ada@uni.example", assignment, 0).params
            p1 = practice.exercise("ada@uni.example", assignment, 1).params
            context = harness.offline_context(chromium, [])  # the provider's login page asks for a web font
            page = context.new_page()
            page.set_default_timeout(30_000)
            try:
                sso_sign_in(page, {"url": url, "issuer": provider.issuer}, "ada", path="exercises?assignment=practice")
                expect(page.get_by_text("Signed in as ada@uni.example")).to_be_visible()
                submit(page, softmax_row.solve(p0))
                expect(alert(page, "Correct.")).to_be_visible()

                killed, down, back = kill_the_process_of(page, server)
                page.get_by_role("button", name="Next exercise ▶").click()  # the first click on the other process
                expect(page.get_by_text(softmax_row.prompt(p1)[:60])).to_be_visible()
                expect(page.get_by_text("Signed in as ada@uni.example")).to_be_visible()  # still signed in
                print(f"\nsingle sign-on, kill -9: down after {down:.1f} s, reconnected after {back:.1f} s, the next "
                      f"exercise shown, still signed in, {time.monotonic() - killed:.1f} s after the kill")
                expect(page.get_by_text("1 of 2")).to_be_visible()
                wait_settled(page)
                submit(page, softmax_row.solve(p1))
                expect(alert(page, "Correct.")).to_be_visible()
            finally:
                context.close()
            store = Store(server["db"])
            rows = store.attempts("ada@uni.example", "practice")
            store.close()
            assert [(r.position, r.score) for r in rows] == [(0, 1), (1, 1)]
