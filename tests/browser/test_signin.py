"""Roster sign-in in a real browser, on a server of its own (its own SQLite gradebook, roster and
assignment): a student signs in with their personal code, solves an exercise, signs out; signing in as
that student with another student's code fails, and nothing of their work shows."""

from __future__ import annotations

import re
import textwrap

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import codes, practice
from exercises.families import softmax_row
from exercises.store import Store
from tests.browser import harness
from tests.browser.harness import wait_settled

pytestmark = pytest.mark.browser

ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    tries = 3

    [[exercise]]
    family = "softmax_row"
""")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    (folder / "roster.csv").write_text("student_id,name,email\nada,Ada L,ada@uw.edu\ngrace,Grace H,grace@uw.edu\n")
    db = folder / "gradebook.sqlite3"
    store = Store(f"sqlite:///{db}")
    made = codes.issue(store.engine, ["ada", "grace"])
    store.close()
    env = {"ATTENTION_LAB_DB": str(db), "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
           "ATTENTION_LAB_ROSTER": str(folder / "roster.csv"), "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "s3cret",
           "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": ""}
    with harness.serve(folder / "server.log", env) as url:
        yield {"url": url, "db": db, "folder": folder / "assignments", "codes": made}


def alert(page, text: str):
    return page.locator('[data-testid="stAlert"]', has_text=text)


def fill_sign_in(page, student: str, code: str) -> None:
    page.get_by_label("Student id").fill(student)
    page.get_by_role("textbox", name="Personal code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_a_roster_student_signs_in_solves_signs_out_and_cannot_be_impersonated(page, server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    assignment = assignment_files.load()[0][0]
    p = practice.exercise("ada", assignment, 0).params

    page.goto(f"{server['url']}/exercises")
    fill_sign_in(page, "Ada", server["codes"]["ada"])
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text("(roster code)")).to_be_visible()
    wait_settled(page)
    page.get_by_label(re.compile(r"^Your answer")).fill(softmax_row.solve(p))
    page.get_by_role("button", name="Submit").click()
    expect(alert(page, "Correct.")).to_be_visible()
    expect(page.get_by_text("1 of 1")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("textbox", name="Personal code")).to_be_visible()
    wait_settled(page)

    # grace's code does not open ada's work, and neither does a guess
    for code in (server["codes"]["grace"], "aaaa-bbbb-cccc"):
        fill_sign_in(page, "ada", code)
        expect(alert(page, "That is not the personal code of ada")).to_be_visible()
        wait_settled(page)
    content = page.content()
    assert "Signed in as" not in content and softmax_row.solve(p) not in content and "1 of 1" not in content

    # with her own code, grace is grace: her own exercise, nothing of ada's
    page.get_by_label("Student id").fill("grace")
    page.get_by_role("textbox", name="Personal code").fill(server["codes"]["grace"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text("0 of 1")).to_be_visible()
    wait_settled(page)
    assert softmax_row.solve(p) not in page.content()

    store = Store(f"sqlite:///{server['db']}")
    rows = store.attempts("ada", "practice")
    store.close()
    assert [(a.valid, a.score) for a in rows] == [(True, 1.0)]  # one try, solved, by ada


def test_an_id_longer_than_64_characters_gets_a_message(page, server):
    """It used to be cut by the box's max_chars and dropped, and the page asked for an id again."""
    page.goto(f"{server['url']}/exercises")
    fill_sign_in(page, "a" * 70, server["codes"]["ada"])
    expect(alert(page, "That student id is 70 characters long; ids have at most 64")).to_be_visible()
    fill_sign_in(page, "𝐚𝐝𝐚", server["codes"]["ada"])  # a look-alike of ada, typed into the real box
    expect(alert(page, "plain keyboard")).to_be_visible()
    assert "Signed in as" not in page.content()
