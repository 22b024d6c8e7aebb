"""AppTest: signing in on page 6 (app/signin.py) in each mode, on the real app script with a real SQLite
gradebook: roster and personal codes, the slow-down, refused ids, a roster file that cannot be read,
practice without signing in (nothing stored), and the lecture-variant rule."""

from __future__ import annotations

import textwrap

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from app import sso
from exercises import assignments as assignment_files
from exercises import codes, identity, practice, throttle
from exercises.families import softmax_row
from exercises.signin_tables import failures
from exercises.store import Store, attempts, students
from exercises.throttle import FREE
from tests.apptest import open_page
from tests.apptest import texts as shown

PAGE = "app/exercises_page.py"
ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice"
    tries = 2

    [[exercise]]
    family = "softmax_row"

    [[exercise]]
    family = "attention_weights"
    variant = "lecture"
""")


@pytest.fixture
def env(tmp_path, monkeypatch):
    folder = tmp_path / "assignments"
    folder.mkdir()
    (folder / "practice.toml").write_text(ASSIGNMENT)
    db = tmp_path / "gradebook.sqlite3"
    for name in ("DATABASE_URL", "ATTENTION_LAB_CLASS_CODE", "ATTENTION_LAB_ROSTER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(folder))
    monkeypatch.setenv("ATTENTION_LAB_DB", str(db))
    monkeypatch.setenv("ATTENTION_LAB_INSTRUCTOR_PASSWORD", "s3cret")
    store = Store(f"sqlite:///{db}")
    yield {"tmp": tmp_path, "db": db, "store": store}
    store.close()


@pytest.fixture
def roster(env, monkeypatch):
    path = env["tmp"] / "roster.csv"
    path.write_text("student_id,name\nalice,Alice A\nbob,Bob B\n")
    monkeypatch.setenv("ATTENTION_LAB_ROSTER", str(path))
    env["codes"] = codes.issue(env["store"].engine, ["alice", "bob"])
    env["roster"] = path
    return env


def sign_in(student: str, code: str | None = None, at: AppTest | None = None) -> AppTest:
    at = at or open_page(PAGE)
    at.text_input[0].input(student)
    if code is not None:
        at.text_input[1].input(code)
    at.button(key="FormSubmitter:signin-Sign in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_roster_students_sign_in_with_their_own_code_only(roster):
    at = open_page(PAGE)
    assert [t.label for t in at.text_input] == ["Student id", "Personal code"]
    at = sign_in("Alice", roster["codes"]["alice"].upper())
    assert at.session_state["ex_student"] == "alice"
    assert "Signed in as **alice** (roster code)" in shown(at.markdown)
    assert identity.methods(roster["store"].engine) == {"alice": "roster"}

    at = sign_in("alice", roster["codes"]["bob"])  # another student's code
    assert "not the personal code of alice" in shown(at.error) and "ex_student" not in at.session_state
    at = sign_in("alice", "")
    assert "not the personal code of alice" in shown(at.error)
    at = sign_in("mallory", roster["codes"]["alice"])  # not on the roster
    assert "mallory is not on this class's roster" in shown(at.error) and "ex_student" not in at.session_state


@pytest.mark.parametrize("typed, why", [
    ("𝐚𝐥𝐢𝐜𝐞", "plain keyboard"), ("Ａｌｉｃｅ", "plain keyboard"), ("x" * 70, "70 characters long"),
    ("a" * 5000, "5000 characters long"), ("<b>alice</b>", "only letters"), ("", "Type your student id"),
])
def test_refused_ids_get_a_message(roster, typed, why):
    at = sign_in(typed, roster["codes"]["alice"])
    assert why in shown(at.error) and "ex_student" not in at.session_state


def test_wrong_codes_are_slowed_down(roster, monkeypatch):
    monkeypatch.setattr(throttle, "now", lambda: 1_000_000.0)  # the tries come at one instant
    at = open_page(PAGE)
    for _ in range(FREE):
        at = sign_in("bob", "wrong-code", at)
        assert "not the personal code of bob" in shown(at.error)
    at = sign_in("bob", roster["codes"]["bob"], at)  # even the right code waits now
    assert "Too many wrong tries for this id: wait 1 second" in shown(at.error)
    assert "ex_student" not in at.session_state
    at = sign_in("alice", roster["codes"]["alice"])  # another student is not slowed down
    assert at.session_state["ex_student"] == "alice"
    with roster["store"].engine.connect() as conn:
        assert dict(conn.execute(select(failures.c.key, failures.c.failures)).all()) == {"code:bob": FREE}


def test_a_roster_that_cannot_be_read_closes_signing_in_but_not_practice(roster):
    roster["roster"].write_bytes(b"student_id\nalice\nALICE\n")
    at = open_page(PAGE)
    assert "Signing in is closed for now" in shown(at.error) and not at.text_input
    assert "alice" not in shown(at.error)  # the details are for the dashboard
    assert any(b.label == "Practice without signing in" for b in at.button)


def practise() -> AppTest:
    at = open_page(PAGE)
    next(b for b in at.button if b.label == "Practice without signing in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def answer(at: AppTest, text: str, pos: int = 0) -> AppTest:
    key = f"ex_in_practice_{pos}"
    if pos == 1:
        at.radio(key=key).set_value(text)
    else:
        at.text_input(key=key).input(text)
    at.button(key=f"FormSubmitter:ex_form_practice_{pos}-Submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_practice_without_signing_in_stores_nothing(roster):
    at = practise()
    assert "Practising without signing in" in shown(at.markdown)
    student = at.session_state["ex_student"]
    a = assignment_files.load()[0][0]
    p = practice.exercise(student, a, 0).params
    at = answer(at, "banana")
    assert "Not counted as a try" in shown(at.warning)
    at = answer(at, softmax_row.MISTAKES["max_instead_of_softmax"](p))
    assert "Try 2 of 2" in shown(at.markdown)
    at = answer(at, softmax_row.solve(p))
    assert "Correct." in shown(at.success) and "Worked solution" in shown(at.markdown)
    assert [(m.label, m.value, m.delta) for m in at.metric] == [("Score", "50%", "1 of 2 solved")]
    store = roster["store"]
    assert count(store, attempts) == 0 and count(store, students) == 0 and identity.methods(store.engine) == {}

    next(b for b in at.button if b.label == "Stop practising").click().run()
    assert any(b.label == "Practice without signing in" for b in at.button)


def lecture_wrong(student: str) -> tuple[str, list[str]]:
    a = assignment_files.load()[0][0]
    ex = practice.exercise(student, a, 1)
    right = practice.solution(ex, None).answer
    return right, [o for o in ex.form()["options"] if o != right]  # one answer is one try: each wrong one once


@pytest.mark.parametrize("mode", ["class_code", "roster"])
def test_a_lecture_variant_answer_after_the_last_try_only_for_a_verified_student(roster, monkeypatch, mode):
    if mode == "class_code":
        monkeypatch.delenv("ATTENTION_LAB_ROSTER")
        monkeypatch.setenv("ATTENTION_LAB_CLASS_CODE", "attn")
        at = sign_in("throwaway", "attn")
    else:
        at = sign_in("bob", roster["codes"]["bob"])
    right, wrong = lecture_wrong(at.session_state["ex_student"])
    at.selectbox(key="ex_pos_practice").set_value(1).run()
    for typed in wrong:  # as many tries as the item allows (choice items with few options allow fewer)
        at = answer(at, typed, 1)
        if "No tries left" in shown(at.markdown):
            break
    assert "No tries left" in shown(at.markdown)
    if mode == "class_code":
        assert "Worked solution" not in shown(at.markdown)
        assert "its answer shows only to those who solve it" in shown(at.info)
        assert "**Answer:**" not in shown(at.markdown) and "attends most to" not in shown(at.markdown)
    else:
        assert "Worked solution" in shown(at.markdown)
        assert f"**Answer:** {right}" in shown(at.markdown) and "attends most to" in shown(at.markdown)


def test_class_code_mode_and_its_slow_down(env, monkeypatch):
    monkeypatch.setattr(throttle, "now", lambda: 1_000_000.0)
    monkeypatch.setenv("ATTENTION_LAB_CLASS_CODE", "attn-2026")
    at = open_page(PAGE)
    assert [t.label for t in at.text_input] == ["Student id", "Class code"]
    for _ in range(FREE):
        at = sign_in("carol", "nope", at)
        assert "class code is not right" in shown(at.error)
    at = sign_in("carol", "attn-2026", at)
    assert "wait" in shown(at.error) and "ex_student" not in at.session_state
    at = sign_in("dave", " attn-2026 ")
    assert "Signed in as **dave** (class code only, unverified)" in shown(at.markdown)


def account(email: str, instructor: bool = False) -> sso.Identity:
    return sso.Identity(student_id=email, instructor=instructor, email=email)


def single_sign_on(monkeypatch, who: sso.Identity | None) -> None:
    """Routing only: app/sso.py's functions answer as if st.login had signed `who` in (sso's own tests
    sign in through a real OpenID Connect provider)."""
    monkeypatch.setattr(sso, "configured", lambda: True)
    monkeypatch.setattr(sso, "identity", lambda: who)
    monkeypatch.setattr(sso, "login_button", lambda: st.button("Sign in with the test provider"))


def test_with_single_sign_on_students_sign_in_only_through_it(roster, monkeypatch):
    single_sign_on(monkeypatch, None)
    at = open_page(PAGE)
    assert not at.text_input  # no id box, even with a roster set
    assert [b.label for b in at.button] == ["Sign in with the test provider", "Practice without signing in"]
    single_sign_on(monkeypatch, account("grace@uw.edu"))
    at.run()
    assert "Signed in as **grace@uw.edu** (single sign-on)" in shown(at.markdown)
    assert identity.methods(roster["store"].engine) == {"grace@uw.edu": "sso"}
    single_sign_on(monkeypatch, account("ada@uw.edu"))  # another account
    at.run()
    assert "Signed in as **ada@uw.edu**" in shown(at.markdown) and at.session_state["ex_student"] == "ada@uw.edu"
