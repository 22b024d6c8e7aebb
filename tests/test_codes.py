"""Personal sign-in codes (exercises/codes.py), on SQLite and a real PostgreSQL: stored only as salted
hashes; a code works for its own student only; a new code replaces only that student's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from exercises import codes
from exercises.signin_tables import codes as codes_table
from exercises.store import Store
from tests.postgres import new_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'gb.sqlite3'}")
    else:
        store = Store(new_postgres_database(request.getfixturevalue("postgres_url")))
    yield store.engine
    store.close()


def test_codes_look_right_and_differ():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    assert all(re.fullmatch(r"[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}", c) for c in made)


def test_a_code_works_for_its_student_only(engine):
    made = codes.issue(engine, ["alice", "bob"])
    assert codes.check(engine, "alice", made["alice"])
    assert codes.check(engine, "alice", made["alice"].upper().replace("-", " "))  # typing is forgiving
    assert not codes.check(engine, "alice", made["bob"])  # another student's code
    assert not codes.check(engine, "carol", made["alice"])  # a student with no code
    bad = ["", None, "wrong", made["alice"][:-1], made["alice"] + "x", "x" * 10_000, "\x00", "' OR 1=1 --"]
    assert not any(codes.check(engine, "alice", typed) for typed in bad)
    assert codes.with_codes(engine) == {"alice", "bob"}


def test_only_hashes_are_stored_and_a_new_code_replaces_only_that_students(engine):
    first = codes.issue(engine, ["alice", "bob"])
    with engine.connect() as conn:
        stored = dict(conn.execute(select(codes_table.c.student_id, codes_table.c.code_hash)).all())
    assert not any(codes.canonical(c) in h or c in h for c in first.values() for h in stored.values())
    again = codes.issue(engine, ["alice"])
    assert not codes.check(engine, "alice", first["alice"]) and codes.check(engine, "alice", again["alice"])
    assert codes.check(engine, "bob", first["bob"])
