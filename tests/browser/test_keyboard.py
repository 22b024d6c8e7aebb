"""Keyboard only, as a person who uses no mouse: page 1's steps (Tab, Enter, Space), presenter mode's
reveals, and on page 6 signing in and submitting an exercise. No mouse event is sent: the page counts
every pointer event it sees and the count must stay 0. On the way, every element Tab passes on page 1
(up to Next) and on page 6 must show that it has the focus (its picture changes when focused); page 6,
signed in with an exercise solved, also passes axe-core."""

from __future__ import annotations

import re
import textwrap

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from tests.browser import harness
from tests.browser.a11y import axe_violations, describe, focused, tab_to
from tests.browser.harness import wait_settled

pytestmark = pytest.mark.browser

COUNT_POINTER = """
window.__pointerEvents = 0;
for (const type of ['pointerdown', 'mousedown', 'mouseup', 'contextmenu', 'wheel'])
  window.addEventListener(type, () => { window.__pointerEvents += 1; }, true);
"""

ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    tries = 3

    [[exercise]]
    family = "softmax_row"
""")


@pytest.fixture
def keyboard_page(page):
    page.context.add_init_script(COUNT_POINTER)
    yield page
    assert page.evaluate("() => window.__pointerEvents") == 0, "a pointer event reached the page"


def is_(prefix: str):
    return lambda described: described.startswith(prefix)


def heading(page, text: str):
    return page.get_by_role("heading", name=text)


def test_page_1_steps_and_presenter_reveals_by_keyboard(keyboard_page, app_url):
    page = keyboard_page
    page.goto(app_url + "/self-attention")
    expect(page.locator("h1").first).to_contain_text("Self-attention, step by step")
    wait_settled(page)
    expect(heading(page, "1. Q = X·W_Q")).to_be_visible()

    unseen: list[str] = []
    tab_to(page, is_("BUTTON Next"), unseen=unseen)
    assert not unseen, f"the focus cannot be seen on: {unseen}"
    page.keyboard.press("Enter")
    expect(heading(page, "2. K = X·W_K")).to_be_visible()
    wait_settled(page)
    assert focused(page).startswith("BUTTON Next"), "the focus stays on Next after the page updates"
    page.keyboard.press("Space")
    expect(heading(page, "3. V = X·W_V")).to_be_visible()
    wait_settled(page)

    tab_to(page, is_("INPUT Show all steps"))
    page.keyboard.press("Space")
    expect(heading(page, "7. Output A·V")).to_be_visible()
    wait_settled(page)
    # a small matrix is a heat table (core/heat_table.py): its numbers are the table, in a box the Tab key reaches
    tab_to(page, is_("DIV Q"))
    assert page.evaluate("() => !!document.activeElement.querySelector('table')"), "the focused box holds the numbers"
    # and its export opens by keyboard
    tab_to(page, is_("BUTTON download Export Q"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="CSV").first).to_be_visible()
    page.keyboard.press("Escape")

    # presenter mode: the switch is in the sidebar, before the page; answers hide until revealed
    tab_to(page, is_("INPUT Presenter mode"), back=True)
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"present=1"))
    reveal = page.get_by_role("button", name="Reveal the answer")
    expect(reveal).to_be_visible()
    wait_settled(page)
    tab_to(page, is_("BUTTON Reveal the answer"))
    page.keyboard.press("Enter")
    expect(page.locator('[data-testid="stAlert"]', has_text="Answer:")).to_be_visible()
    wait_settled(page)
    numbers = page.get_by_role("button", name="Reveal the numbers")
    before = numbers.count()
    assert before == 7, before  # every step shown, every step's numbers hidden
    tab_to(page, is_("BUTTON Reveal the numbers"))
    page.keyboard.press("Space")
    expect(numbers).to_have_count(before - 1)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keyboard")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    env = {"ATTENTION_LAB_DB": str(folder / "gradebook.sqlite3"), "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
           "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "s3cret", "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": ""}
    with harness.serve(folder / "server.log", env) as url:
        yield {"url": url, "folder": folder / "assignments"}


def test_sign_in_and_submit_an_exercise_by_keyboard(keyboard_page, server, monkeypatch):
    page = keyboard_page
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    assignment = next(a for a in assignment_files.load()[0] if a.id == "practice")
    params = practice.exercise("ada", assignment, 0).params

    page.goto(server["url"] + "/exercises?assignment=practice")
    expect(page.locator("h1").first).to_contain_text("Exercises")
    wait_settled(page)
    unseen: list[str] = []
    tab_to(page, is_("INPUT Student id"), unseen=unseen)
    page.keyboard.type("ada")
    tab_to(page, is_("BUTTON Sign in"), unseen=unseen)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    wait_settled(page)

    tab_to(page, lambda d: bool(re.match(r"(INPUT|TEXTAREA) Your answer", d)), unseen=unseen)
    page.keyboard.type(softmax_row.solve(params))
    tab_to(page, is_("BUTTON Submit"), unseen=unseen)
    page.keyboard.press("Enter")
    expect(page.locator('[data-testid="stAlert"]', has_text="Correct.")).to_be_visible()
    assert not unseen, f"the focus cannot be seen on: {unseen}"
    wait_settled(page)
    failures = describe("6 exercises, signed in, solved", axe_violations(page))
    assert not failures, "\n".join(failures)
