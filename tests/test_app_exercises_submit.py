"""AppTest: page 6's Submit when it is clicked twice, when the gradebook fails (a reply to COMMIT lost,
a hung PostgreSQL: through tests/pgproxy.py to a real PostgreSQL), when the answer cannot be stored,
and the dashboard's notice for a read-only gradebook. The page and the gradebook are the real ones."""

from __future__ import annotations

import time

import pytest

from exercises.families import softmax_row
from exercises.store import Store
from tests.apptest import texts as shown
from tests.pgproxy import Proxy
from tests.postgres import new_postgres_database
from tests.test_app_exercises import ASSIGNMENT, answer, open_dashboard, params, sign_in
from tests.test_store_faults import _read_only


@pytest.fixture
def env(tmp_path, monkeypatch):
    """test_app_exercises' assignment (softmax_row twice, 2 tries) and an SQLite gradebook of its own."""
    folder = tmp_path / "assignments"
    folder.mkdir()
    (folder / "practice.toml").write_text(ASSIGNMENT)
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(folder))
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "gradebook.sqlite3"))
    for name in ("DATABASE_URL", "ATTENTION_LAB_CLASS_CODE", "ATTENTION_LAB_DB_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATTENTION_LAB_INSTRUCTOR_PASSWORD", "s3cret")
    return {"folder": folder, "db": tmp_path / "gradebook.sqlite3"}


def stored(url: str, student: str = "alice") -> list[tuple[str, str | None]]:
    store = Store(url)
    try:
        return [(a.answer, a.mistake) for a in store.attempts(student, "practice")]
    finally:
        store.close()


def wrong(p: dict) -> str:
    return softmax_row.MISTAKES["max_instead_of_softmax"](p)  # alice's variant has it


EXPLAINED = softmax_row.EXPLAIN["max_instead_of_softmax"]


@pytest.fixture
def proxied(env, postgres_url, monkeypatch):
    """The page's gradebook is a PostgreSQL reached through a Proxy (timeout 3 s); yields (url, proxy)."""
    url = new_postgres_database(postgres_url)
    Store(url).close()
    proxy = Proxy(url)
    monkeypatch.setenv("DATABASE_URL", proxy.url)
    monkeypatch.setenv("ATTENTION_LAB_DB_TIMEOUT", "3")
    yield url, proxy
    proxy.close()


def test_submitting_the_same_answer_twice_is_one_try_with_one_feedback(env):
    at = sign_in("alice")
    p = params()
    at = answer(at, wrong(p))
    first = shown(at.error)
    at = answer(at, wrong(p))  # the second click of a double click: the same answer again
    assert shown(at.error) == first and EXPLAINED in first and "Try 2 of 2" in shown(at.markdown)
    assert stored(f"sqlite:///{env['db']}") == [(wrong(p), "max_instead_of_softmax")]


def test_answers_that_cannot_be_stored_get_a_message_and_cost_nothing(env):
    at = sign_in("alice")
    for bad in ["0.5\x000.5", "0.1 0.2\x1b[0m", "1 " * 6_000]:
        at = answer(at, bad)
        assert "control character" in shown(at.warning) or "at most 10,000" in shown(at.warning)
        assert "Try 1 of 2" in shown(at.markdown)
    assert stored(f"sqlite:///{env['db']}") == []


def test_a_lost_commit_reply_shows_the_stored_rows_feedback(proxied):
    url, proxy = proxied
    at = sign_in("alice")
    p = params()
    proxy.set("drop_commit")
    at = answer(at, wrong(p))
    assert proxy.commits_dropped == 1
    assert EXPLAINED in shown(at.error) and "Try 2 of 2" in shown(at.markdown) and not shown(at.warning)
    assert stored(url) == [(wrong(p), "max_instead_of_softmax")]


def test_a_lost_commit_with_the_gradebook_gone_says_so_and_the_next_run_resolves_it(proxied):
    url, proxy = proxied
    at = sign_in("alice")
    p = params()
    proxy.set("drop_commit", after_commit="down")
    at = answer(at, wrong(p))
    assert "may not have been saved" in shown(at.error) and "Reload the page" in shown(at.error)
    assert EXPLAINED not in shown(at.error)  # no feedback for an answer whose fate is unknown
    assert len(stored(url)) == 1  # it was committed
    proxy.set("pass")
    reloaded = sign_in("alice")  # a reload (a new session) shows what the gradebook holds
    assert "Your last answer" in shown(reloaded.caption) and "Try 2 of 2" in shown(reloaded.markdown)
    at.run()  # the next run reaches the gradebook: the answer's own feedback, counted once
    assert "may not have been saved" not in shown(at.error)
    assert EXPLAINED in shown(at.error) and "Try 2 of 2" in shown(at.markdown)
    at = answer(at, softmax_row.solve(p))  # the next answer is graded and stored as itself
    assert "Correct." in shown(at.success)
    assert [a for a, _ in stored(url)] == [wrong(p), softmax_row.solve(p)]


def test_a_hung_gradebook_gives_a_timeout_message(proxied):
    url, proxy = proxied
    at = sign_in("alice")
    proxy.set("stall")
    start = time.monotonic()
    at = answer(at, wrong(params()))
    took = time.monotonic() - start
    print(f"\npage 6, hung PostgreSQL, timeout 3 s: Submit to message {took:.2f} s")
    assert "did not answer within 3 seconds" in shown(at.error) and "not saved" in shown(at.error)
    assert took < 5.5  # one timeout: the page does not wait for the gradebook a second time
    proxy.set("pass")
    next(b for b in at.button if b.label == "Try again").click().run()
    assert "Try 1 of 2" in shown(at.markdown) and "not saved" in shown(at.error)  # the form is back, with why
    assert stored(url) == []


def test_the_dashboard_says_when_the_gradebook_cannot_be_written(env):
    Store(f"sqlite:///{env['db']}").close()
    _read_only(env["db"], True)
    try:
        dash = open_dashboard("s3cret")
        assert "read-only" in shown(dash.error) and "No restart is needed" in shown(dash.error)
    finally:
        _read_only(env["db"], False)
    dash.run()
    assert "read-only" not in shown(dash.error)
