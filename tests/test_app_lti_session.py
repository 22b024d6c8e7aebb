"""app/lti_session.py through AppTest on the real pages: ?lti=<token> signs page 6 in once (then it is
spent), opens the linked assignment and exercise, and a Submit that changes the score queues it in the
outbox (a repeated answer does not); an instructor's hand-off opens the dashboard."""

from __future__ import annotations

import json
import textwrap

import pytest
from sqlalchemy import select

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from exercises.lti import launch, tables
from exercises.store import Store
from tests.apptest import open_page
from tests.apptest import texts as shown

PAGE, DASH = "app/exercises_page.py", "app/instructor.py"
ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    tries = 3

    [[exercise]]
    family = "softmax_row"
    count = 2
""")


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    (tmp_path / "assignments").mkdir()
    (tmp_path / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(tmp_path / "assignments"))
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "gradebook.sqlite3"))
    monkeypatch.setenv("ATTENTION_LAB_LTI_KEY", str(tmp_path / "tool_key.pem"))
    for name in ("DATABASE_URL", "ATTENTION_LAB_CLASS_CODE", "ATTENTION_LAB_INSTRUCTOR_PASSWORD",
                 "ATTENTION_LAB_LTI_PLATFORMS"):
        monkeypatch.delenv(name, raising=False)
    store = Store(f"sqlite:///{tmp_path / 'gradebook.sqlite3'}")
    tables.ensure(store.engine)
    with store.engine.begin() as conn:
        link = conn.execute(tables.links.insert().values(
            issuer="https://lms.example", client_id="c1", deployment_id="d1", context_id="course-1",
            assignment_id="practice", lineitems_url="https://lms.example/li", lineitem_url=None,
            scopes=json.dumps([]), score_maximum=2.0)).inserted_primary_key[0]
    yield store, link
    store.close()


def test_a_handoff_signs_page_6_in_once_and_a_changed_score_is_queued(gradebook):
    store, link = gradebook
    handoff = launch._hand_off(store.engine, "alice@uni.example", "student", "resource", "practice", 1, link,
                               {"sub": "u-alice", "one_exercise": False}, "/exercises")
    at = open_page(PAGE, lti=handoff.token)
    assert "Signed in as **alice@uni.example** (LMS launch (LTI 1.3))" in shown(at.markdown)
    assert "Opened from your LMS" in shown(at.caption)
    assert "lti" not in at.query_params and at.session_state["ex_pos_practice"] == 1  # exercise 2, as linked
    assert launch.redeem(store.engine, handoff.token) is None  # spent

    assignment = assignment_files.load()[0][0]
    right = softmax_row.solve(practice.exercise("alice@uni.example", assignment, 1).params)
    at.text_input(key="ex_in_practice_1").input(right)
    at.button(key="FormSubmitter:ex_form_practice_1-Submit").click().run()
    assert "Correct." in shown(at.success)
    with store.engine.connect() as conn:
        queued = conn.execute(select(tables.outbox.c.student_id, tables.outbox.c.lms_user_id,
                                     tables.outbox.c.score, tables.outbox.c.progress)).all()
    assert queued == [("alice@uni.example", "u-alice", 0.5, "InProgress")]

    # a wrong answer to exercise 1 leaves the assignment's score at 0.5: nothing new is queued
    with store.engine.connect() as conn:
        stamp = conn.execute(select(tables.outbox.c.scored_at)).scalar_one()
    at.session_state["ex_pos_practice"] = 0
    at.run()
    wrong = softmax_row.MISTAKES["max_instead_of_softmax"](practice.exercise("alice@uni.example", assignment, 0).params)
    at.text_input(key="ex_in_practice_0").input(wrong)
    at.button(key="FormSubmitter:ex_form_practice_0-Submit").click().run()
    assert at.error and not at.exception
    with store.engine.connect() as conn:
        assert conn.execute(select(tables.outbox.c.scored_at, tables.outbox.c.score)).all() == [(stamp, 0.5)]


def test_a_spent_or_made_up_token_signs_nobody_in(gradebook):
    store, _ = gradebook
    at = open_page(PAGE, lti="y" * 43)
    assert "already used or is over two minutes old" in shown(at.error)
    assert "ex_who" not in at.session_state


def test_an_instructor_handoff_opens_the_dashboard(gradebook):
    store, _ = gradebook
    handoff = launch._hand_off(store.engine, "prof@uni.example", "instructor", "resource", None, None, None,
                               {"sub": "u-prof"}, "/instructor")
    at = open_page(DASH, lti=handoff.token)
    assert [t.label for t in at.tabs][:2] == ["Roster", "Live"]
