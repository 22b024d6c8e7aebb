"""The hostile corpus (tests/hostile.py) typed where a person types, on the real app script (AppTest):
page 1's X and token names, its ?seed=, page 6's student id, its answer box, and the dashboard's
password. Each string may be refused with a message; none may raise (a traceback in the page), show a
server path, or store what page 6 refused (an answer over 10,000 characters or with a control
character)."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import select

from exercises import assignments as assignment_files
from exercises import practice
from exercises.store import Store, attempts
from tests.apptest import open_page
from tests.hostile import CORPUS, server_leaks, tally

PAGE1 = "app/self_attention.py"
PAGE6 = "app/exercises_page.py"
DASH = "app/instructor.py"


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


TYPABLE = [t for t in CORPUS if _utf8(t)]  # a browser sends UTF-8: a lone surrogate never reaches the server


def everything(at) -> str:
    """Every text the page shows: markdown, messages, captions, labels, values of tables, HTML blocks."""
    parts = []
    for kind in ("markdown", "error", "warning", "info", "success", "caption", "exception", "code", "latex"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [str(t.value) for t in at.table] + [str(e.label) for e in at.expander] + [str(h.value) for h in at.html]
    return "\n".join(parts)


def check(at, where: str, typed: str, problems: list) -> None:
    if at.exception:
        problems.append((where, typed[:30], "exception", str(at.exception[0].value)[:80]))
    elif leaks := server_leaks(everything(at), typed):
        problems.append((where, typed[:30], "leak", leaks))


def test_page1_matrix_and_names(monkeypatch):
    at = open_page(PAGE1)
    problems: list = []
    for typed in TYPABLE:
        box = next(t for t in at.text_area if t.label == "X")
        box.input(typed).run()  # a valid edit reruns only the results fragment: AppTest then holds only it
        check(at, "page 1 X", typed, problems)
        check(at.run(), "page 1 X", typed, problems)  # the whole page as the browser shows it
        at.text_input(key="sa_names").input(typed).run()
        check(at, "page 1 token names", typed, problems)
        check(at.run(), "page 1 token names", typed, problems)
    tally("page 1 (X, token names)", 2 * len(TYPABLE), exceptions=sum(p[2] == "exception" for p in problems),
          leaks=sum(p[2] == "leak" for p in problems))
    assert not problems


SEEDS = [t for t in TYPABLE if len(t) < 2000] + ["-1", "1000000", "1e3", "0x1", "٣", "1,2", "99999999999999999999"]


def test_page1_seed_in_the_url():
    problems: list = []
    for typed in SEEDS:
        at = open_page(PAGE1, seed=typed) if typed else open_page(PAGE1)
        check(at, "?seed=", typed, problems)
    tally("page 1 ?seed=", len(SEEDS), exceptions=sum(p[2] == "exception" for p in problems),
          leaks=sum(p[2] == "leak" for p in problems))
    assert not problems


ASSIGNMENT = textwrap.dedent("""
    id = "hostile"
    title = "Hostile"
    tries = 20
    [[exercise]]
    family = "softmax_row"
""")


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    folder = tmp_path / "assignments"
    folder.mkdir()
    (folder / "hostile.toml").write_text(ASSIGNMENT)
    db = tmp_path / "gradebook.sqlite3"
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(folder))
    monkeypatch.setenv("ATTENTION_LAB_DB", str(db))
    monkeypatch.setenv("ATTENTION_LAB_INSTRUCTOR_PASSWORD", "s3cret")
    for name in ("DATABASE_URL", "ATTENTION_LAB_CLASS_CODE", "ATTENTION_LAB_ROSTER"):
        monkeypatch.delenv(name, raising=False)
    return db


def test_page6_student_ids(gradebook):
    problems: list = []
    at = open_page(PAGE6)
    for typed in TYPABLE:
        if at.session_state["ex_who"] if "ex_who" in at.session_state else None:
            at = open_page(PAGE6)  # the last id was a good one: a new session for the next
        at.text_input[0].input(typed)
        at.button(key="FormSubmitter:signin-Sign in").click().run()
        check(at, "page 6 student id", typed, problems)
    tally("page 6 student id", len(TYPABLE), exceptions=sum(p[2] == "exception" for p in problems),
          leaks=sum(p[2] == "leak" for p in problems))
    assert not problems


def test_page6_answers_and_what_is_stored(gradebook):
    at = open_page(PAGE6)
    at.text_input[0].input("mallory")
    at.button(key="FormSubmitter:signin-Sign in").click().run()
    problems: list = []
    ex = practice.exercise("mallory", assignment_files.load()[0][0], 0)
    right = practice.solution(ex, None).answer
    for typed in TYPABLE:
        at.text_input(key="ex_in_hostile_0").input(typed)
        at.button(key="FormSubmitter:ex_form_hostile_0-Submit").click().run()
        check(at, "page 6 answer", typed, problems)
        if right in everything(at) and "### Worked solution" not in everything(at):  # typed text is escaped
            problems.append(("page 6 answer", typed[:30], "leak", "the right answer before it is earned"))
        if "ex_in_hostile_0" not in [t.key for t in at.text_input]:
            break  # the exercise closed: nothing more to type into
    store = Store(f"sqlite:///{gradebook}")
    with store.engine.connect() as conn:
        rows = conn.execute(select(attempts.c.answer, attempts.c.submission_id)).all()
    store.close()
    refused = [a for a, _ in rows if len(a) > 10_000 or any(ord(c) < 32 and c not in "\n\t" for c in a)]
    doubled = len(rows) - len({sid for _, sid in rows})
    tally("page 6 answer box", len(TYPABLE), exceptions=sum(p[2] == "exception" for p in problems),
          leaks=sum(p[2] == "leak" for p in problems), lost=len(refused) + doubled)
    assert not problems
    assert not refused and not doubled


def test_dashboard_passwords(gradebook):
    problems: list = []
    at = open_page(DASH)
    for typed in TYPABLE:
        at.text_input[0].input(typed)
        at.button[0].click().run()
        check(at, "dashboard password", typed, problems)
        assert not at.tabs, "a wrong password opened the dashboard"
    tally("dashboard password", len(TYPABLE), exceptions=sum(p[2] == "exception" for p in problems),
          leaks=sum(p[2] == "leak" for p in problems))
    assert not problems
