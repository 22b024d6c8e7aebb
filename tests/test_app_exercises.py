"""AppTest: the Exercises page (page 6) and the instructor dashboard, on the real app script with a
real SQLite gradebook in a temporary folder and a small assignment file."""

from __future__ import annotations

import csv
import io
import os
import textwrap

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from exercises.store import Store
from tests.apptest import heavy_imports, open_page
from tests.apptest import texts as shown
from tests.browser.harness import free_port
from tests.heat_tables import page_tables

PAGE = "app/exercises_page.py"
DASH = "app/instructor.py"

ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    description = "Two softmax rows."
    tries = 2
    hints_after = 1

    [[exercise]]
    family = "softmax_row"
    count = 2
""")


@pytest.fixture
def env(tmp_path, monkeypatch):
    folder = tmp_path / "assignments"
    folder.mkdir()
    (folder / "practice.toml").write_text(ASSIGNMENT)
    db = tmp_path / "gradebook.sqlite3"
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(folder))
    monkeypatch.setenv("ATTENTION_LAB_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ATTENTION_LAB_CLASS_CODE", raising=False)
    monkeypatch.setenv("ATTENTION_LAB_INSTRUCTOR_PASSWORD", "s3cret")
    return {"folder": folder, "db": db}


def sign_in(student: str = "Alice", code: str | None = None) -> AppTest:
    at = open_page(PAGE)
    at.text_input[0].input(student)
    if code is not None:
        at.text_input[1].input(code)
    at.button(key="FormSubmitter:signin-Sign in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def answer(at: AppTest, text: str, pos: int = 0) -> AppTest:
    at.text_input(key=f"ex_in_practice_{pos}").input(text)
    at.button(key=f"FormSubmitter:ex_form_practice_{pos}-Submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def score(at: AppTest) -> tuple[str, str]:
    """The Score metric: (the score, the exercises solved), one element."""
    assert [m.label for m in at.metric] == ["Score"]
    return at.metric[0].value, at.metric[0].delta


def params(student: str = "alice", pos: int = 0) -> dict:
    a, _ = assignment_files.load()
    return practice.exercise(student, a[0], pos).params


def test_sign_in_refuses_a_bad_id_with_a_message(env):
    at = sign_in("a b; drop table")
    assert "only letters, digits" in shown(at.error)
    assert "ex_student" not in at.session_state
    at = sign_in("   ")
    assert "Type your student id" in shown(at.error)


def test_class_code_is_required_when_the_server_sets_one(env, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_CLASS_CODE", "attn-2026")
    at = sign_in("alice", code="wrong")
    assert "class code is not right" in shown(at.error) and "ex_student" not in at.session_state
    at = sign_in("alice", code=" attn-2026 ")
    assert at.session_state["ex_student"] == "alice"


def test_wrong_then_hint_then_right_then_reload_keeps_progress(env):
    at = sign_in("Alice")
    assert "Signed in as" in shown(at.markdown) and "alice" in shown(at.markdown)
    p = params()
    prompt = softmax_row.prompt(p)
    assert prompt in shown(at.markdown)
    right = softmax_row.solve(p)
    assert right not in shown(at.markdown) + shown(at.caption) + shown(at.info)  # never shown before it is earned

    at = answer(at, "banana")  # unreadable: a message, no try used
    assert "not counted" in shown(at.warning).lower()
    assert not at.info and "Hint" not in shown(at.warning)  # no hint: no wrong try yet
    wrong = softmax_row.MISTAKES["max_instead_of_softmax"](p)
    at = answer(at, wrong)
    assert softmax_row.EXPLAIN["max_instead_of_softmax"] in shown(at.error)
    assert softmax_row.HINT in shown(at.error)  # the hint after a wrong try, in the feedback's element
    assert "Try 2 of 2" in shown(at.markdown) and "Worked solution" not in shown(at.markdown)
    reloaded = sign_in("alice")  # no feedback to show after a reload: the hint in an element of its own
    assert softmax_row.HINT in shown(reloaded.info) and not reloaded.error and "Try 2 of 2" in shown(reloaded.markdown)

    at = answer(at, right)
    assert "Correct." in shown(at.success)
    assert "Worked solution" in shown(at.markdown) and right in shown(at.markdown)
    assert score(at) == ("50%", "1 of 2 solved")

    # come back later: a new session, signed in again; the gradebook has it
    again = sign_in("alice")
    assert score(again) == ("50%", "1 of 2 solved")
    assert again.selectbox(key="ex_pos_practice").value == 1  # opens at the first unfinished exercise
    again.selectbox(key="ex_pos_practice").set_value(0).run()
    assert "Solved" in shown(again.markdown) and "Worked solution" in shown(again.markdown)

    store = Store(f"sqlite:///{env['db']}")
    rows = store.attempts("alice", "practice")
    store.close()
    assert [(a.valid, a.score, a.mistake) for a in rows] == [
        (False, 0.0, None), (True, 0.0, "max_instead_of_softmax"), (True, 1.0, None)]


def test_out_of_tries_shows_the_solution_and_closes_the_form(env):
    at = sign_in("bob")
    p = params("bob")
    at = answer(at, "0.1 0.1 " + " ".join(["0.8"] * (len(p["scores"]) - 2)))
    at = answer(at, "0.2 0.2 " + " ".join(["0.6"] * (len(p["scores"]) - 2)))
    assert "No tries left" in shown(at.markdown)
    assert softmax_row.solve(p) in shown(at.markdown)
    assert not [b for b in at.button if str(b.key).startswith("FormSubmitter:ex_form_practice_0")]


def test_second_variant_differs_per_student(env):
    assert params("alice", 0) != params("bob", 0) or params("alice", 1) != params("bob", 1)


def test_typed_text_is_shown_as_text(env):
    at = sign_in("carol")
    at = answer(at, "**bold** <b>x</b> $x$")
    raw = " ".join(str(w.value) for w in at.warning)
    assert r"\*\*bold\*\*" in raw  # markdown-escaped: the page shows the asterisks, not bold text
    assert not at.exception


def test_a_broken_assignment_file_is_reported_and_the_others_still_load(env):
    (env["folder"] / "broken.toml").write_text('title = "x"\n[[exercise]]\nfamily = "nope"\n')
    at = sign_in("dave")
    assert "could not be read" in shown(at.warning)
    assert at.selectbox(key="ex_assignment").value == "practice"


# --- the dashboard -------------------------------------------------------------------------------


def open_dashboard(password: str) -> AppTest:
    at = open_page(DASH)
    at.text_input[0].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_dashboard_refuses_a_wrong_password(env):
    at = open_dashboard("guess")
    assert "not right" in shown(at.error)
    assert not at.tabs


def test_dashboard_is_closed_without_a_password(env, monkeypatch):
    monkeypatch.delenv("ATTENTION_LAB_INSTRUCTOR_PASSWORD")
    at = open_page(DASH)
    assert "dashboard is closed" in shown(at.info) and not at.text_input


def test_dashboard_roster_mistakes_csv_and_preview(env):
    at = sign_in("alice")
    p = params()
    at = answer(at, softmax_row.MISTAKES["max_instead_of_softmax"](p))
    at = answer(at, softmax_row.solve(p))

    dash = open_dashboard("s3cret")
    assert [t.label for t in dash.tabs] == ["Roster", "Live", "Mistakes", "CSV export", "Preview"]
    roster = dash.dataframe[0].value
    assert list(roster["student"]) == ["alice"] and roster["practice"].iloc[0] == pytest.approx(50.0)
    mistakes = dash.dataframe[1].value
    assert list(mistakes["mistake"]) == ["max_instead_of_softmax"] and list(mistakes["students"]) == [1]
    text = dash.code[0].value
    assert list(csv.reader(io.StringIO(text))) == [["student_id", "practice"], ["alice", "50.0"]]
    dash.segmented_control(key="dash_csv_layout").set_value("Canvas").run()
    assert list(csv.reader(io.StringIO(dash.code[0].value))) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Practice: softmax"],
        ["Points Possible", "", "", "", "", "2"], ["alice", "", "", "alice", "", "1"]]

    # preview any family at any seed: the prompt, the answer, the mistakes it recognizes
    dash.selectbox(key="dash_family").set_value("softmax_row")
    dash.text_input(key="dash_seed").input("12345").run()
    q = softmax_row.generate(np.random.default_rng(12345))
    assert softmax_row.prompt(q) in shown(dash.markdown)
    assert softmax_row.solve(q) in shown(dash.markdown)
    dash.text_input(key="dash_trial").input(softmax_row.solve(q)).run()
    assert "Correct." in shown(dash.success)
    dash.text_input(key="dash_seed").input("-3").run()
    assert "not a whole number" in shown(dash.error)

    # a student's own exercise, with the attempts it has
    dash.segmented_control(key="dash_preview_by").set_value("A student's exercise").run()
    dash.text_input(key="dash_student").input("alice").run()
    assert softmax_row.prompt(p) in shown(dash.markdown)
    assert "max_instead_of_softmax" in shown(dash.caption)


def test_exercise_pages_never_import_torch(env):
    """Page 6 and the dashboard (every family imported) in a fresh interpreter: no torch."""
    assert heavy_imports([PAGE, DASH], env=dict(os.environ)) == []


@pytest.mark.parametrize("assignment_id", ["lecture8", "lecture9"])
def test_every_exercise_of_the_shipped_assignments_renders_and_takes_its_answer(tmp_path, monkeypatch,
                                                                                assignment_id):
    """Each exercise of the lecture assignments, on the page: its prompt shows, the answer does not, and
    the right answer typed into its widget (text box, matrix box or radio) is graded correct."""
    monkeypatch.delenv("ATTENTION_LAB_ASSIGNMENTS", raising=False)
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "gradebook.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ATTENTION_LAB_CLASS_CODE", raising=False)
    found, errors = assignment_files.load()
    assert errors == []
    assignment = next(a for a in found if a.id == assignment_id)
    at = sign_in("student-7")
    at.selectbox(key="ex_assignment").set_value(assignment_id).run()
    for pos in range(assignment.size):
        ex = practice.exercise("student-7", assignment, pos)
        at.selectbox(key=f"ex_pos_{assignment_id}").set_value(pos).run()
        assert not at.exception, (pos, [e.value for e in at.exception])
        page_text = shown(at.markdown)
        assert ex.prompt().split("\n")[0][:50] in page_text, pos
        right = practice.solution(ex, None).answer
        form = ex.form()
        key = f"ex_in_{assignment_id}_{pos}"
        if form["kind"] == "choice":
            at.radio(key=key).set_value(right)
        elif form["kind"] == "matrix":
            at.text_area(key=key).input(right)
        else:
            at.text_input(key=key).input(right)
        at.button(key=f"FormSubmitter:ex_form_{assignment_id}_{pos}-Submit").click().run()
        assert not at.exception, (pos, [e.value for e in at.exception])
        assert "Correct." in shown(at.success), (pos, ex.family.ID, right, shown(at.error), shown(at.warning))
        assert "Worked solution" in shown(at.markdown)
        steps = practice.solution(ex, None).steps
        if steps:  # the page 1 walk-through with the student's own numbers
            at.toggle(key=f"ex_walk_{assignment_id}_{pos}").set_value(True).run()
            assert not at.exception, (pos, [e.value for e in at.exception])
            titles = [s.value for s in at.subheader]
            assert all(any(step.title in t for t in titles) for step in steps), (pos, titles)
            tables = page_tables(at)  # each step's matrices as heat tables, with the student's own numbers
            assert all(p.caption in tables for step in steps for p in step.panels), (pos, list(tables))
    assert score(at) == ("100%", f"{assignment.size} of {assignment.size} solved")


def test_an_unreachable_gradebook_is_a_message_not_a_traceback(env, monkeypatch):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@127.0.0.1:{port}/none")
    at = sign_in("alice")
    assert "gradebook cannot be reached" in shown(at.error)
    dash = open_dashboard("s3cret")
    assert "gradebook cannot be reached" in shown(dash.error)
