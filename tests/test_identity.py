"""Student ids (exercises/identity.py): look-alikes refused rather than folded into someone else's id,
clear messages for every refusal, and the record of how each student signed in."""

from __future__ import annotations

import pytest

from exercises.identity import (
    MAX_STUDENT_ID,
    METHODS,
    VERIFIED,
    SignInError,
    class_code_ok,
    methods,
    normalize_student_id,
    record_signin,
)
from exercises.store import Store
from tests.postgres import new_postgres_database

LOOK_ALIKES = [
    "𝐚𝐥𝐢𝐜𝐞",  # mathematical bold: NFKC folds it into alice
    "Ａｌｉｃｅ",  # full width
    "аlice",  # Cyrillic а
    "alİce",  # dotted capital I (lower() gives i + a combining dot)
    "alice\u200b",  # a zero-width space
    "ａlice",
    "alic\u0435",  # Cyrillic е at the end
    "ﬁona",  # the fi ligature
]


@pytest.mark.parametrize("typed", LOOK_ALIKES)
def test_look_alikes_are_refused_not_folded(typed):
    with pytest.raises(SignInError, match="plain keyboard"):
        normalize_student_id(typed)


@pytest.mark.parametrize("typed, why", [
    ("", "Type your student id"), ("   ", "Type your student id"), (None, "Type your student id"),
    ("x" * 65, "65 characters long"), ("a" * 10_000, "10000 characters long"), ("a b", "only letters"),
    ("=cmd", "only letters"), ("-x", "only letters"), ("<script>", "only letters"), ("ali;ce", "only letters"),
    ("a\x00b", "only letters"), ("a\nb", "only letters"), (" 'or 1=1 --", "only letters"),
])
def test_refusals_say_what_to_fix(typed, why):
    with pytest.raises(SignInError, match=why):
        normalize_student_id(typed)


@pytest.mark.parametrize("typed, sid", [("  JDoe42 ", "jdoe42"), ("a.b-c_d@uw.edu", "a.b-c_d@uw.edu"),
                                        ("x" * MAX_STUDENT_ID, "x" * MAX_STUDENT_ID), ("ALICE", "alice")])
def test_ids_are_trimmed_and_lower_cased(typed, sid):
    assert normalize_student_id(typed) == sid


def test_class_code():
    assert class_code_ok(None, None) and class_code_ok("", "anything")
    assert class_code_ok("attn", " attn ") and not class_code_ok("attn", "Attn") and not class_code_ok("attn", None)


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_how_each_student_signed_in_is_recorded(request, tmp_path, db):
    store = Store(f"sqlite:///{tmp_path / 'gb.sqlite3'}" if db == "sqlite"
                  else new_postgres_database(request.getfixturevalue("postgres_url")))
    try:
        record_signin(store.engine, "alice", "class_code")
        record_signin(store.engine, "bob", "roster")
        record_signin(store.engine, "alice", "roster")  # the latest method wins
        assert methods(store.engine) == {"alice": "roster", "bob": "roster"}
        with pytest.raises(ValueError):
            record_signin(store.engine, "carol", "trust me")
    finally:
        store.close()
    assert VERIFIED == {"sso", "lti", "roster"} and VERIFIED <= set(METHODS)
