"""The live view in a real browser, on a server of its own: the projector page (/live) is open in one
browser context while two students, each in a context of their own, answer the lecture's choice on page 6;
the projector shows both answers within a few seconds, with no reload, and names neither student."""

from __future__ import annotations

import textwrap
import time

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from tests.browser import harness
from tests.browser.a11y import axe_violations, describe
from tests.browser.harness import SCREENSHOTS, full_screenshot, wait_settled
from tests.browser.test_exercises import alert, sign_in

pytestmark = pytest.mark.browser

ASSIGNMENT = textwrap.dedent("""
    id = "ice"
    title = "ICE #1"
    tries = 3

    [[exercise]]
    family = "attention_weights"
    variant = "lecture"
""")
STUDENTS = ("quentin", "rosalind")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "ice.toml").write_text(ASSIGNMENT)
    env = {"ATTENTION_LAB_DB": str(folder / "gradebook.sqlite3"), "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
           "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "s3cret", "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": ""}
    with harness.serve(folder / "server.log", env) as url:
        yield {"url": url, "folder": folder / "assignments"}


def metric(page, label: str):
    """A count on the live board (exercises/live_board.py): the value under its label."""
    return page.locator(".al-live-count", has_text=label).locator(".al-live-n")


def test_the_projector_shows_two_students_answering(page, chromium, blocked_requests, server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    ex = practice.exercise(STUDENTS[0], assignment_files.load()[0][0], 0)
    right = practice.solution(ex, None).answer
    wrong = next(o for o in ex.form()["options"] if o != right)

    page.goto(f"{server['url']}/live?assignment=ice&exercise=1&every=1")  # the projector
    page.get_by_label("Password", exact=True).fill("s3cret")
    page.get_by_role("button", name="Open the dashboard").click()
    expect(metric(page, "Submitted")).to_have_text("0")
    page.evaluate("() => { window.notReloaded = true; }")

    contexts = [harness.offline_context(chromium, blocked_requests) for _ in STUDENTS]
    try:
        for context, student, typed in zip(contexts, STUDENTS, (right, wrong), strict=True):
            student_page = context.new_page()
            sign_in(student_page, server["url"], student, assignment="ice")
            student_page.locator('[data-testid="stRadio"] label', has_text=typed).click()
            student_page.get_by_role("button", name="Submit").click()
            expect(alert(student_page, "Correct." if typed == right else "Not correct.")).to_be_visible()
        answered = time.monotonic()
        expect(metric(page, "Submitted")).to_have_text("2", timeout=10_000)
        seen = time.monotonic() - answered
    finally:
        for context in contexts:
            context.close()
    expect(metric(page, "Solved")).to_have_text("1")
    assert page.evaluate("() => window.notReloaded === true")  # the fragment redrew; the page did not reload
    bars = page.locator(".al-live-bars li")
    expect(bars.filter(has_text=f"{right} · 1")).to_have_count(1)
    expect(bars.filter(has_text=f"{wrong} · 1")).to_have_count(1)
    assert "✓" not in page.content() and not any(s in page.content() for s in STUDENTS)
    print(f"the projector showed both answers {seen:.1f} s after the second submit")
    assert seen < 8
    wait_settled(page)
    full_screenshot(page, SCREENSHOTS / "live.png")
    failures = describe("live, the board with two answers", axe_violations(page))  # the board's own HTML
    page.get_by_text("Reveal the answer", exact=True).click()
    expect(bars.filter(has_text="✓")).to_have_count(1)  # the right answer marked, and named
    expect(bars.filter(has_text="✓")).to_contain_text(f"{right} · 1")
    expect(page.locator(".al-live")).to_contain_text(f"Answer: {right}")
    wait_settled(page)
    failures += describe("live, the answer revealed", axe_violations(page))
    assert not failures, "\n".join(failures)
