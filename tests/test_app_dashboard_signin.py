"""AppTest: the way into the instructor dashboard (app/dashboard_signin.py): the password, slowed down
after wrong tries, and what the dashboard says about how students sign in."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from app import sso
from exercises import codes, throttle
from exercises.signin_tables import failures
from exercises.throttle import FREE
from tests.apptest import open_page
from tests.apptest import texts as shown
from tests.test_app_signin import account, env, roster, sign_in  # noqa: F401 (fixtures)

DASH = "app/instructor.py"


def try_password(typed: str, at: AppTest | None = None) -> AppTest:
    at = at or open_page(DASH)
    at.text_input[0].input(typed)
    at.button(key="FormSubmitter:instructor_signin-Open the dashboard").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_wrong_passwords_are_slowed_down(env, monkeypatch):  # noqa: F811
    monkeypatch.setattr(throttle, "now", lambda: 1_000_000.0)  # every guess at the same instant
    at = open_page(DASH)
    results = []
    for _ in range(FREE + 45):  # 50 guesses as fast as the page takes them
        at = try_password("guess", at)
        results.append("wait" in shown(at.error))
    assert results == [False] * FREE + [True] * 45
    assert not at.tabs
    at = try_password("s3cret")  # the right password waits too, in any session
    assert "Too many wrong passwords: wait 1 second" in shown(at.error) and not at.tabs
    monkeypatch.setattr(throttle, "now", lambda: 1_000_001.0)  # a second later the right one goes through
    at = try_password("s3cret", at)
    assert [t.label for t in at.tabs][:1] == ["Roster"]


def test_the_right_password_opens_it_and_clears_the_count(env):  # noqa: F811
    at = try_password("guess")
    assert "not right" in shown(at.error)
    at = try_password("s3cret", at)
    assert [t.label for t in at.tabs][:1] == ["Roster"]
    with env["store"].engine.connect() as conn:
        assert conn.execute(select(failures.c.failures)).first() is None


def test_unverified_ids_are_said_plainly(env, monkeypatch):  # noqa: F811
    sign_in("eve")  # a bare id: anyone can type it
    at = try_password("s3cret")
    assert "ids are **unverified**" in shown(at.warning)
    monkeypatch.setenv("ATTENTION_LAB_CLASS_CODE", "attn")
    at = try_password("s3cret")
    assert "Students sign in with the class code: their ids are **unverified**" in shown(at.warning)


def test_roster_mode_on_the_dashboard(roster, monkeypatch):  # noqa: F811
    at = sign_in("alice", roster["codes"]["alice"])
    at.text_input(key="ex_in_practice_0").input("0.5 0.5 0")
    at.button(key="FormSubmitter:ex_form_practice_0-Submit").click().run()
    dash = try_password("s3cret")
    assert "every id is verified" in shown(dash.caption) and "(2 students)" in shown(dash.caption)
    assert not dash.warning
    frame = dash.dataframe[0].value
    assert list(frame["student"]) == ["alice"] and list(frame["signed in with"]) == ["roster code"]

    roster["roster"].write_text("student_id\nalice\nbob\ncarol\n")  # carol has no code yet
    dash = try_password("s3cret")
    assert "1 students on the roster have no code yet" in shown(dash.warning) and "--student ID" in shown(dash.warning)

    roster["roster"].write_bytes(b"student_id,name\nalice,A\n\xff\xfe\n")
    dash = try_password("s3cret")
    assert str(roster["roster"]) in shown(dash.error) and "not UTF-8" in shown(dash.error)
    assert "Save it again as 'CSV UTF-8'" in shown(dash.error)
    codes.issue(roster["store"].engine, ["alice"])  # (the codes table still works)


def test_an_instructor_through_single_sign_on_needs_no_password(env, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sso, "configured", lambda: True)
    monkeypatch.setattr(sso, "login_button", lambda: None)
    monkeypatch.setattr(sso, "identity", lambda: account("prof@uw.edu", instructor=True))
    at = open_page(DASH)
    assert [t.label for t in at.tabs][:1] == ["Roster"] and "every id is verified" in shown(at.caption)
    monkeypatch.setattr(sso, "identity", lambda: account("student@uw.edu"))
    at = open_page(DASH)
    assert not at.tabs and "not listed as an instructor" in shown(at.info)
    assert [t.label for t in at.text_input] == ["Password"]  # the password still works, slowed down
