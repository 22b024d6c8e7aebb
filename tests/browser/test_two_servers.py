"""Two app processes behind one PostgreSQL gradebook (how a large course scales past one machine): a
student answers on one server and, signed in on the other, finds the progress there; the other
server's dashboard sees the attempts of both."""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from exercises.store import Store
from tests.browser import harness
from tests.browser.harness import wait_settled
from tests.browser.test_exercises import alert, sign_in, submit
from tests.postgres import new_postgres_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def servers(tmp_path_factory, postgres_url):
    folder = tmp_path_factory.mktemp("two-servers")
    (folder / "practice.toml").write_text(textwrap.dedent("""
        id = "practice"
        tries = 3
        [[exercise]]
        family = "softmax_row"
        count = 2
    """))
    url = new_postgres_database(postgres_url)
    env = {"DATABASE_URL": url, "ATTENTION_LAB_ASSIGNMENTS": str(folder),
           "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "s3cret", "ATTENTION_LAB_CLASS_CODE": ""}
    procs, urls, logs = [], [], []
    try:
        for name in ("a", "b"):
            port = harness.free_port()
            logs.append(folder / f"server-{name}.log")
            with open(logs[-1], "wb") as log:
                procs.append(harness.start_streamlit("streamlit_app.py", harness.REPO, port, log, env=env))
            urls.append(f"http://127.0.0.1:{port}")
        for proc, u in zip(procs, urls, strict=True):
            harness.wait_healthy(u, proc)
        yield {"urls": urls, "db": url, "folder": folder}
    finally:
        for proc in procs:
            harness.stop(proc)
        for log in logs:
            text = log.read_text(errors="replace") if log.exists() else ""
            assert "Traceback" not in text, text[-4000:]


def test_progress_made_on_one_server_shows_on_the_other(page, servers, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(servers["folder"]))
    assignment = assignment_files.load()[0][0]
    p0 = practice.exercise("lin", assignment, 0).params
    p1 = practice.exercise("lin", assignment, 1).params
    a, b = servers["urls"]

    sign_in(page, a, "lin")
    submit(page, softmax_row.solve(p0))
    expect(alert(page, "Correct.")).to_be_visible()

    sign_in(page, b, "lin")  # the other process: the same variant, the progress from server a
    expect(page.get_by_text("1 of 2")).to_be_visible()
    expect(page.get_by_text(softmax_row.prompt(p1)[:60])).to_be_visible()  # opens at the unfinished one
    submit(page, softmax_row.MISTAKES["max_instead_of_softmax"](p1))
    expect(alert(page, softmax_row.EXPLAIN["max_instead_of_softmax"])).to_be_visible()

    page.goto(f"{a}/instructor")
    page.get_by_label("Password", exact=True).fill("s3cret")
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.get_by_role("tab", name="Roster")).to_be_visible()
    wait_settled(page)

    store = Store(servers["db"])
    rows = store.attempts("lin", "practice")
    store.close()
    assert [(r.position, r.score == 1, r.mistake) for r in rows] == [
        (0, True, None), (1, False, "max_instead_of_softmax")]
