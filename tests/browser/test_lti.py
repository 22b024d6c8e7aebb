"""LTI 1.3 end to end in a real browser, against a real LTI 1.3 platform (tests/lti_platform.py: the
PyPI package lti1p3platform, signing with its own key pair) on 127.0.0.1. The app runs as st.App
(lti_app.py) with the LTI routes, its own SQLite gradebook, assignment file and tool key.

A student's launch opens the assignment signed in; a submission's score arrives at the platform's AGS
endpoint; a re-launch and a second submission update the same line item; deep linking returns a content
item with its line item; a launch with a bad signature, a wrong audience, an expired token, a replayed
nonce or an unknown deployment is refused with a clear page and nothing stored; with the platform down,
feedback is still given and the score arrives once it is back, once."""

from __future__ import annotations

import re
import sqlite3
import textwrap
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine

from exercises import assignments as assignment_files
from exercises import practice, signin_tables
from exercises.families import softmax_row
from tests.browser import harness
from tests.browser.harness import wait_settled
from tests.lti_platform import lti_platform

pytestmark = pytest.mark.browser

ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    tries = 3

    [[exercise]]
    family = "softmax_row"
    count = 2
""")
LAUNCH_SECONDS: list[float] = []  # from opening the LMS's launch link to page 6 drawn, signed in
SCORE_CALLS: list[int] = []  # AGS score POSTs per submission
PLAIN_SECONDS: list[float] = []  # side by side: page 6 opened directly (its sign-in box drawn), no LMS


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lti")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    with lti_platform(url) as platform:
        (folder / "platforms.toml").write_text(platform.config_toml())
        env = {"ATTENTION_LAB_DB": str(folder / "gradebook.sqlite3"),
               "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
               "ATTENTION_LAB_LTI_PLATFORMS": str(folder / "platforms.toml"),
               "ATTENTION_LAB_LTI_KEY": str(folder / "tool_key.pem"),
               "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "", "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": "",
               "ATTENTION_LAB_LTI_URL": ""}
        log_path = folder / "server.log"
        with open(log_path, "wb") as log:
            proc = harness.start_streamlit("lti_app.py", harness.REPO, port, log, env=env)
        try:
            harness.wait_healthy(url, proc)
            engine = create_engine(f"sqlite:///{folder / 'gradebook.sqlite3'}")
            signin_tables.ensure(engine)  # for the "nothing stored" checks before anyone signed in
            engine.dispose()
            platform.app_url, platform.db, platform.folder = url, folder / "gradebook.sqlite3", folder / "assignments"
            yield platform
        finally:
            harness.stop(proc)
            text = log_path.read_text(errors="replace")
            assert "Traceback" not in text, text[-4000:]
    if LAUNCH_SECONDS:  # shown with pytest -s
        print(f"\nLTI launch to page 6 signed in, {len(LAUNCH_SECONDS)} launches: {min(LAUNCH_SECONDS):.2f}-"
              f"{max(LAUNCH_SECONDS):.2f} s; page 6 opened directly {min(PLAIN_SECONDS, default=0):.2f}-"
              f"{max(PLAIN_SECONDS, default=0):.2f} s; AGS score calls per submission: {SCORE_CALLS}")


@pytest.fixture
def page(chromium):
    blocked: list[str] = []
    context = harness.offline_context(chromium, blocked)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not blocked, blocked


def rows(lms, sql: str) -> list[tuple]:
    with sqlite3.connect(lms.db) as conn:
        return conn.execute(sql).fetchall()


def launch(page, lms, user: str, **kwargs) -> None:
    started = time.perf_counter()
    page.goto(lms.launch_url(user, **kwargs))
    expect(page.get_by_text(f"Signed in as {user}@uni.example")).to_be_visible()
    wait_settled(page, quiet=0.3)
    LAUNCH_SECONDS.append(time.perf_counter() - started - 0.3)


def answer(page, lms, user: str, position: int, right: bool = True) -> None:
    assignment = next(a for a in assignment_files.load()[0] if a.id == "practice")
    params = practice.exercise(f"{user}@uni.example", assignment, position).params
    typed = softmax_row.solve(params) if right else softmax_row.MISTAKES["max_instead_of_softmax"](params)
    page.get_by_label(re.compile(r"^Your answer")).fill(typed)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator('[data-testid="stAlert"]', has_text="Correct." if right else "")).to_be_visible()


def wait_scores(lms, user: str, n: int, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(lms.scores_for(user)) < n and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # and no more than n
    return lms.scores_for(user)


def test_a_student_launch_opens_the_assignment_signed_in_and_the_score_reaches_the_lms(page, lms, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(lms.folder))
    for _ in range(2):  # the baseline: the same page without the LMS's four hops
        started = time.perf_counter()
        page.goto(f"{lms.app_url}/exercises")
        expect(page.get_by_role("button", name="Practice without signing in")).to_be_visible()
        wait_settled(page, quiet=0.3)
        PLAIN_SECONDS.append(time.perf_counter() - started - 0.3)
    launch(page, lms, "alice", assignment="practice")
    assert "lti=" not in page.url  # the one-time token is gone from the address bar
    expect(page.get_by_text("LMS launch (LTI 1.3)")).to_be_visible()
    expect(page.get_by_text("Opened from your LMS")).to_be_visible()
    expect(page.get_by_text("0 of 2")).to_be_visible()

    answer(page, lms, "alice", 0)
    expect(page.get_by_text("1 of 2")).to_be_visible()
    scores = wait_scores(lms, "alice", 1)
    SCORE_CALLS.append(len(scores))
    assert len(scores) == 1
    s = scores[0]
    assert (s["scoreGiven"], s["scoreMaximum"]) == (1.0, 2.0)  # 1 of 2 exercises: 0.5 of the assignment
    assert (s["activityProgress"], s["gradingProgress"]) == ("InProgress", "FullyGraded")
    assert s["timestamp"] and s["userId"] == "alice"
    assert len(lms.lineitems) == 1 and s["lineitem"] in lms.lineitems
    assert next(iter(lms.lineitems.values()))["scoreMaximum"] == 2.0

    # a re-launch and a second submission: the same line item, updated
    launch(page, lms, "alice", assignment="practice")
    page.get_by_label("Exercise").click()
    page.get_by_role("option", name=re.compile(r"^2\.")).click()
    answer(page, lms, "alice", 1)
    scores = wait_scores(lms, "alice", 2)
    SCORE_CALLS.append(len(scores) - 1)
    assert len(scores) == 2 and scores[1]["lineitem"] == scores[0]["lineitem"]
    assert (scores[1]["scoreGiven"], scores[1]["activityProgress"]) == (2.0, "Completed")
    assert len(lms.lineitems) == 1


def test_deep_linking_returns_a_content_item_with_its_line_item(page, lms, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(lms.folder))
    page.goto(lms.launch_url("prof", role="instructor", deep_link=True))
    expect(page.get_by_role("heading", name="Attention Lab: add an activity")).to_be_visible()
    page.get_by_label(re.compile(r"exercise 2")).check()
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#added")).to_have_text("Practice: softmax, exercise 2")
    item = lms.deep_link_items[-1]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"assignment": "practice", "exercise": "2"}
    assert item["lineItem"]["scoreMaximum"] == 1.0 and item["url"].endswith("/lti/launch")

    # a student opens the new link: exercise 2, and the score goes to the line item the LMS made
    before = len(lms.lineitems)
    launch(page, lms, "bob", resource_link=item["resource_link"], assignment="practice")
    expect(page.get_by_role("heading", name=re.compile(r"^2\. "))).to_be_visible()
    answer(page, lms, "bob", 1)
    scores = wait_scores(lms, "bob", 1)
    assert len(scores) == 1 and scores[0]["lineitem"] == lms.links[item["resource_link"]]
    assert (scores[0]["scoreGiven"], scores[0]["scoreMaximum"]) == (1.0, 1.0)
    assert len(lms.lineitems) == before


@pytest.mark.parametrize("variant, title", [
    ("bad_signature", "This launch's signature is not valid"),
    ("wrong_aud", "This LMS is not registered here"),
    ("expired", "This launch has expired"),
    ("unknown_deployment", "This LMS deployment is not registered here"),
])
def test_a_bad_launch_is_refused_with_a_clear_page_and_nothing_stored(page, lms, variant, title):
    before = rows(lms, "SELECT (SELECT count(*) FROM lti_handoffs), (SELECT count(*) FROM lti_links)")
    user = f"mallory-{variant.replace('_', '-')}"
    page.goto(lms.launch_url(user, assignment="practice", variant=variant))
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Nothing was stored.", exact=True)).to_be_visible()
    assert rows(lms, "SELECT (SELECT count(*) FROM lti_handoffs), (SELECT count(*) FROM lti_links)") == before
    assert rows(lms, f"SELECT count(*) FROM signins WHERE student_id LIKE '{user}%'")[0][0] == 0


def test_a_replayed_launch_is_refused(page, lms):
    launch(page, lms, "carol", assignment="practice")
    before = rows(lms, "SELECT count(*) FROM lti_handoffs")[0][0]
    page.goto(lms.replay_url())  # the same id token and state, posted again
    expect(page.get_by_role("heading", name="This launch was already used")).to_be_visible()
    assert rows(lms, "SELECT count(*) FROM lti_handoffs")[0][0] == before


def test_with_the_lms_down_feedback_is_given_and_the_score_is_sent_once_it_is_back(page, lms, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(lms.folder))
    launch(page, lms, "dave", assignment="practice")
    lms.down()
    try:
        answer(page, lms, "dave", 0)  # feedback at once, with the LMS not answering
        expect(page.get_by_text("1 of 2")).to_be_visible()
        time.sleep(3)
        assert rows(lms, "SELECT sent, tries > 0 FROM lti_outbox o JOIN signins s ON o.student_id = s.student_id "
                         "WHERE o.student_id = 'dave@uni.example'") == [(0, 1)]
    finally:
        lms.up()
    scores = wait_scores(lms, "dave", 1, timeout=40)
    assert len(scores) == 1 and scores[0]["scoreGiven"] == 1.0
    time.sleep(3)
    assert len(lms.scores_for("dave")) == 1  # none twice


def test_an_lms_instructor_lands_on_the_dashboard(page, lms):
    page.goto(lms.launch_url("prof", role="instructor", assignment="practice"))
    expect(page.get_by_role("tab", name="Roster")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    expect(page.get_by_text(re.compile(r"LTI 1.3: 1 LMS registration \(Test LMS\); \d+ scores? waiting"))).to_be_visible()
    assert "lti=" not in page.url


def test_a_handoff_link_opened_again_signs_nobody_in(page, lms):
    page.goto(lms.launch_url("erin", assignment="practice"))
    expect(page.get_by_text("Signed in as erin@uni.example")).to_be_visible()
    spent = rows(lms, "SELECT count(*) FROM lti_handoffs WHERE used_at IS NOT NULL")[0][0]
    assert spent >= 1
    other = page.context.new_page()  # a second tab with a made-up token: nothing
    other.goto(f"{lms.app_url}/exercises?lti={'x' * 43}")
    expect(other.get_by_text("already used or is over two minutes old")).to_be_visible()
    expect(other.get_by_text("Signed in as")).to_have_count(0)
