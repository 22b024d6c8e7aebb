"""A student does an exercise end to end in a real browser, on a server of its own (its own SQLite
gradebook and assignment file): sign in, a wrong answer (the named mistake and the hint show), the right
answer (correct, the worked solution shows), a reload (progress is kept), and the dashboard sees it."""

from __future__ import annotations

import re
import textwrap

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from exercises.store import Store
from tests.browser import harness
from tests.browser.a11y import axe_violations, describe
from tests.browser.harness import SCREENSHOTS, full_screenshot, wait_settled

pytestmark = pytest.mark.browser

ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    tries = 3
    hints_after = 1

    [[exercise]]
    family = "softmax_row"
    count = 2
""")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exercises")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    (folder / "assignments" / "grid.toml").write_text('id = "grid"\n[[exercise]]\nfamily = "qkv_projection"\n')
    db = folder / "gradebook.sqlite3"
    env = {"ATTENTION_LAB_DB": str(db), "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
           "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "s3cret", "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": ""}
    with harness.serve(folder / "server.log", env) as url:
        yield {"url": url, "db": db, "folder": folder / "assignments"}


def alert(page, text: str):
    return page.locator('[data-testid="stAlert"]', has_text=text)


def sign_in(page, url: str, student: str, assignment: str = "practice") -> None:
    page.goto(f"{url}/exercises?assignment={assignment}")
    page.get_by_label("Student id").fill(student)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    wait_settled(page)


def submit(page, text: str) -> None:
    box = page.get_by_label(re.compile(r"^Your answer"))
    box.fill(text)
    page.get_by_role("button", name="Submit").click()


def test_a_student_completes_an_exercise(page, server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    assignment = next(a for a in assignment_files.load()[0] if a.id == "practice")
    p = practice.exercise("ada", assignment, 0).params

    sign_in(page, server["url"], "Ada")
    expect(page.get_by_text(softmax_row.prompt(p)[:60])).to_be_visible()
    assert softmax_row.solve(p) not in page.content()  # the answer is not in the page before it is earned

    submit(page, "not a number")
    expect(alert(page, "Not counted as a try")).to_be_visible()

    submit(page, softmax_row.MISTAKES["max_instead_of_softmax"](p))
    expect(alert(page, softmax_row.EXPLAIN["max_instead_of_softmax"])).to_be_visible()
    hint = alert(page, softmax_row.HINT[:40])  # the hint after a wrong try, in the feedback's element
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(softmax_row.EXPLAIN["max_instead_of_softmax"])
    expect(page.get_by_text("Try 2 of 3")).to_be_visible()  # the unreadable answer was not counted
    assert softmax_row.solve(p) not in page.content()
    wait_settled(page)
    failures = describe("6 exercises, a wrong answer with its hint", axe_violations(page))
    assert not failures, "\n".join(failures)

    submit(page, softmax_row.solve(p))
    expect(alert(page, "Correct.")).to_be_visible()
    expect(page.get_by_text("Worked solution")).to_be_visible()
    expect(page.get_by_text(softmax_row.solve(p)).first).to_be_visible()
    wait_settled(page)
    full_screenshot(page, SCREENSHOTS / "exercises.png")

    # a reload is a new session: sign in again and the progress is there
    page.reload()
    sign_in(page, server["url"], "ada")
    expect(page.get_by_text("1 of 2")).to_be_visible()

    store = Store(f"sqlite:///{server['db']}")
    rows = store.attempts("ada", "practice")
    store.close()
    assert [(a.valid, a.mistake) for a in rows] == [(False, None), (True, "max_instead_of_softmax"), (True, None)]
    assert rows[1].score < 1 and rows[2].score == 1


def test_a_matrix_answer_typed_into_the_grid(page, server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    assignment = next(a for a in assignment_files.load()[0] if a.id == "grid")
    ex = practice.exercise("grace", assignment, 0)
    cells = [row.split() for row in practice.solution(ex, None).answer.split("; ")]

    sign_in(page, server["url"], "grace", assignment="grid")
    page.get_by_text("Fill in a grid instead").click()
    wait_settled(page)
    box = page.locator('[data-testid="stDataFrame"]').bounding_box()
    width = box["width"] / len(cells[0])
    header = row_height = 35  # Streamlit's data editor: a 35 px header, then rows of about 34 px
    for r, row in enumerate(cells):
        for c, value in enumerate(row):  # select the cell, open its editor, type, commit
            page.mouse.click(box["x"] + width * (c + 0.5), box["y"] + header + (row_height - 1) * r + 17)
            page.wait_for_timeout(150)
            page.keyboard.press("Enter")
            page.wait_for_timeout(150)
            page.keyboard.type(value, delay=60)
            page.keyboard.press("Enter")
            page.wait_for_timeout(200)
    page.get_by_role("button", name="Submit").click()
    expect(alert(page, "Correct.")).to_be_visible()


def test_the_dashboard_shows_the_class(page, server):
    page.goto(f"{server['url']}/instructor")
    page.get_by_label("Password", exact=True).fill("s3cret")
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.get_by_role("tab", name="Roster")).to_be_visible()
    wait_settled(page)
    full_screenshot(page, SCREENSHOTS / "instructor.png")
