"""The gradebook (exercises/store/) against an SQLite file and a real PostgreSQL (tests/postgres.py)."""

from __future__ import annotations

import csv
import functools
import io
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from exercises import store as store_module
from exercises.store import AttemptRow, AttemptsChanged, ExerciseClosed, Store, attempts, resolve_url
from tests.postgres import new_postgres_database

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The URL of an empty database: a new SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.sqlite3'}"
    return new_postgres_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(url):
    s = Store(url)
    yield s
    s.close()


def submit(store, sid, student, position=0, score=0.0, *, assignment="a1", family="softmax", seed=7, answer="1",
           valid=True, mistake=None):
    return store.record(sid, student, assignment, position, family, seed, answer, valid, score, mistake)


def count_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(attempts)).scalar_one()


# ---------------------------------------------------------------------------------------------
# tables, record, read back


def test_tables_are_created_on_first_start_and_kept_on_the_next(url):
    first = Store(url)
    names = set(inspect(first.engine).get_table_names())
    assert {"students", "attempts"} <= names
    columns = {c["name"] for c in inspect(first.engine).get_columns("attempts")}
    assert columns == {"id", "submission_id", "student_id", "assignment_id", "position", "family_id", "seed",
                       "answer", "valid", "score", "mistake", "created_at"}
    submit(first, "s1", "alice")
    first.close()
    second = Store(url)  # a restart: create_all finds the tables and leaves the rows alone
    assert [a.submission_id for a in second.attempts("alice", "a1")] == ["s1"]
    second.close()


def test_a_recorded_submission_is_committed_and_reads_back_from_another_store(store, url):
    big_seed = 2**63 - 1
    stored = store.record("sub-1", "alice", "a1", 2, "softmax", big_seed, " 0.25, 0.75 ", True, 0.5, "no_scale")
    assert stored.id >= 1 and stored.created_at.tzinfo is not None
    other = Store(url)  # another engine (as another app process would be): sees it only if committed
    [back] = other.attempts("alice", "a1")
    other.close()
    assert back == stored
    assert (back.submission_id, back.student_id, back.assignment_id, back.position, back.family_id, back.seed,
            back.answer, back.valid, back.score, back.mistake) == (
        "sub-1", "alice", "a1", 2, "softmax", big_seed, " 0.25, 0.75 ", True, 0.5, "no_scale")


def test_a_known_student_is_not_inserted_again_and_an_unknown_one_is(store):
    store.record("k-1", "kim", "a1", 0, "softmax", 1, "0.5", True, 0.5, max_tries=3)
    again = store.record("k-2", "kim", "a1", 0, "softmax", 1, "0.6", True, 0.6, max_tries=3, student_known=True)
    assert [a.submission_id for a in store.attempts("kim", "a1")] == ["k-1", "k-2"] and again.answer == "0.6"
    with store.engine.connect() as conn:
        assert conn.execute(select(store_module.students.c.id).where(
            store_module.students.c.id == "kim")).all() == [("kim",)]


def test_attempts_come_oldest_first_and_filter_by_position(store):
    for i, position in enumerate([0, 1, 0, 1, 0]):
        submit(store, f"s{i}", "alice", position, answer=str(i))
    submit(store, "other-student", "bob", 0)
    submit(store, "other-assignment", "alice", 0, assignment="a2")
    assert [a.answer for a in store.attempts("alice", "a1")] == ["0", "1", "2", "3", "4"]
    assert [a.answer for a in store.attempts("alice", "a1", position=0)] == ["0", "2", "4"]
    ids = [a.id for a in store.attempts("alice", "a1")]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_a_repeated_submission_id_is_not_doubled(store):
    first = submit(store, "dup", "alice", 0, 0.5, answer="first")
    again = submit(store, "dup", "alice", 0, 1.0, answer="second")  # a double click, or a retry
    assert again == first and again.answer == "first" and again.score == 0.5
    assert count_rows(store) == 1
    with pytest.raises(ValueError, match="already used"):
        submit(store, "dup", "mallory", 0, 1.0)
    with pytest.raises(ValueError, match="already used"):
        submit(store, "dup", "alice", 1, 1.0)
    assert count_rows(store) == 1 and store.attempts("mallory", "a1") == []


def test_bad_values_are_refused(store):
    for kwargs in [dict(score=1.5), dict(score=-0.1), dict(score=float("nan"))]:
        with pytest.raises(ValueError, match="score"):
            submit(store, "x", "alice", **kwargs)
    for seed in [2**63, -(2**63) - 1, 1.5]:
        with pytest.raises(ValueError, match="seed"):
            submit(store, "x", "alice", seed=seed)
    with pytest.raises(ValueError, match="position"):
        submit(store, "x", "alice", -1)
    with pytest.raises(ValueError, match="student_id"):
        submit(store, "x", "")
    with pytest.raises(ValueError, match="submission_id"):
        submit(store, "", "alice")
    assert count_rows(store) == 0


# ---------------------------------------------------------------------------------------------
# tries and the solution


def test_invalid_answers_are_stored_but_are_not_tries(store):
    submit(store, "i1", "alice", 0, answer="abc", valid=False)
    submit(store, "i2", "alice", 0, answer="[1,", valid=False)
    assert [(a.valid, a.answer) for a in store.attempts("alice", "a1")] == [(False, "abc"), (False, "[1,")]
    assert not store.earned_solution("alice", "a1", 0, max_tries=1)
    submit(store, "v1", "alice", 0, 0.0, answer="2")
    assert store.earned_solution("alice", "a1", 0, max_tries=1)


def test_the_solution_is_earned_by_solving_or_by_using_up_the_tries(store):
    assert not store.earned_solution("alice", "a1", 0, max_tries=3)
    submit(store, "1", "alice", 0, 0.5)
    submit(store, "2", "alice", 0, 0.9)
    assert not store.earned_solution("alice", "a1", 0, max_tries=3)
    assert store.earned_solution("alice", "a1", 0, max_tries=2)
    submit(store, "3", "alice", 0, 0.0)
    assert store.earned_solution("alice", "a1", 0, max_tries=3)
    submit(store, "4", "bob", 0, 1.0)
    assert store.earned_solution("bob", "a1", 0, max_tries=3)  # solved on the first try
    assert not store.earned_solution("bob", "a1", 1, max_tries=3)  # another exercise
    assert not store.earned_solution("bob", "a2", 0, max_tries=3)  # another assignment
    assert not store.earned_solution("carol", "a1", 0, max_tries=3)  # another student
    with pytest.raises(ValueError):
        store.earned_solution("alice", "a1", 0, max_tries=0)


def test_max_tries_closes_an_exercise_once_solved_or_out_of_tries(store):
    record = functools.partial(store.record, student_id="alice", assignment_id="a1", position=0,
                               family_id="softmax", seed=7, answer="x", max_tries=2)
    record("1", feedback_valid=True, score=0.0)
    record("2", feedback_valid=False, score=0.0)  # unreadable: not a try
    record("3", feedback_valid=True, score=0.5)
    with pytest.raises(ExerciseClosed, match="no tries left"):
        record("4", feedback_valid=True, score=1.0)
    assert record("3", feedback_valid=True, score=0.5).submission_id == "3"  # a retry of a stored one is fine
    with pytest.raises(ExerciseClosed):
        record("5", feedback_valid=False, score=0.0)  # nor an unreadable one, once closed
    assert [a.submission_id for a in store.attempts("alice", "a1")] == ["1", "2", "3"]
    store.record("6", "bob", "a1", 0, "softmax", 7, "x", True, 1.0, max_tries=2)
    with pytest.raises(ExerciseClosed, match="solved"):
        store.record("7", "bob", "a1", 0, "softmax", 7, "x", True, 1.0, max_tries=2)
    with pytest.raises(ValueError, match="max_tries"):
        store.record("8", "bob", "a1", 1, "softmax", 7, "x", True, 1.0, max_tries=0)


def test_known_attempts_other_than_stored_refuse_the_write_and_store_nothing(store):
    """record(known_attempts=n): the caller decided on n attempts of the student's to the assignment (any
    exercise); another number in the gradebook (another tab stored one) refuses the write."""
    assert submit(store, "s1", "alice", 0).id  # exercise 1
    with pytest.raises(AttemptsChanged):  # the caller read none
        store.record("s2", "alice", "a1", 1, "softmax", 7, "1", True, 0.0, known_attempts=0)
    with pytest.raises(AttemptsChanged):  # or two
        store.record("s2", "alice", "a1", 1, "softmax", 7, "1", True, 0.0, max_tries=3, known_attempts=2)
    assert count_rows(store) == 1
    submit(store, "b1", "bob", 0, assignment="a2")  # another student's, and another assignment's, do not count
    submit(store, "a9", "alice", 0, assignment="a2")
    row = store.record("s2", "alice", "a1", 1, "softmax", 7, "1", True, 0.0, max_tries=3, known_attempts=1)
    assert (row.position, count_rows(store)) == (1, 4)
    with pytest.raises(ValueError, match="known_attempts"):
        store.record("s3", "alice", "a1", 1, "softmax", 7, "1", True, 0.0, known_attempts=-1)


def test_two_tabs_cannot_both_take_the_last_try(store):
    """8 threads submit to an exercise with one try left; exactly one is stored."""
    store.record("0", "alice", "a1", 0, "softmax", 7, "x", True, 0.0, max_tries=2)
    barrier = threading.Barrier(8)
    outcomes = []

    def one(i):
        barrier.wait()
        try:
            store.record(f"t{i}", "alice", "a1", 0, "softmax", 7, "x", True, 0.0, max_tries=2)
            outcomes.append("stored")
        except ExerciseClosed:
            outcomes.append("closed")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["closed"] * 7 + ["stored"]
    assert len(store.attempts("alice", "a1")) == 2


def test_csv_cells_never_start_a_formula(store):
    submit(store, "1", "=HYPERLINK(\"http://x\")", 0, 1.0)
    submit(store, "2", "@sum", 0, 0.5)
    rows = list(csv.reader(io.StringIO(store.csv_export(["a1"]), newline="")))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\")", "100.0"], ["'@sum", "50.0"]]


# ---------------------------------------------------------------------------------------------
# the instructor's dashboard


def fill_class(store):
    """alice: a1 positions 0 (1.0 after 0.5) and 1 (0.5); bob: a1 position 0 (0.25) and only an unreadable
    answer to a2; carol: on the roster, no submission; dave: a2 only."""
    submit(store, "1", "alice", 0, 0.5, mistake="no_scale")
    submit(store, "2", "alice", 0, 1.0)
    submit(store, "3", "alice", 1, 0.5, family="qk", mistake="transposed")
    submit(store, "4", "bob", 0, 0.25, mistake="no_scale")
    submit(store, "5", "bob", 0, 0.0, mistake="no_scale")
    submit(store, "6", "bob", 0, 0.0, mistake="row_not_column")
    submit(store, "7", "bob", 0, assignment="a2", valid=False, answer="??")
    store.add_student("carol")
    submit(store, "8", "dave", 0, 1.0, assignment="a2")
    submit(store, "9", "dave", 1, 0.0, assignment="a2", valid=False, mistake="ignored")


def test_roster_scores_are_the_mean_best_score_over_the_exercises(store):
    fill_class(store)
    rows = store.roster(["a1", "a2"], sizes={"a1": 4})
    assert [r.student_id for r in rows] == ["alice", "bob", "carol", "dave"]
    scores = {r.student_id: r.scores for r in rows}
    assert scores["alice"] == {"a1": pytest.approx((1.0 + 0.5) / 4), "a2": None}
    assert scores["bob"] == {"a1": pytest.approx(0.25 / 4), "a2": 0.0}
    assert scores["carol"] == {"a1": None, "a2": None}
    assert scores["dave"] == {"a1": None, "a2": pytest.approx(1.0 / 2)}  # a2's size: positions seen (0 and 1)


def test_roster_with_layouts_leaves_out_replaced_exercises(store):
    fill_class(store)  # alice: a1 position 0 "softmax" 1.0, position 1 "qk" 0.5
    rows = {r.student_id: r.scores for r in store.roster(["a1"], layouts={"a1": ["softmax", "other", "x"]})}
    assert rows["alice"]["a1"] == pytest.approx(1.0 / 3)  # position 1 now holds another family
    assert rows["bob"]["a1"] == pytest.approx(0.25 / 3)
    text = store.csv_export(["a1"], layouts={"a1": ["softmax"]})
    assert "alice,100.0" in text


def test_mistake_counts_count_distinct_students(store):
    fill_class(store)
    assert store.mistake_counts("a1") == {
        (0, "softmax"): {"no_scale": 2, "row_not_column": 1},
        (1, "qk"): {"transposed": 1},
    }
    assert list(store.mistake_counts("a1")[0, "softmax"]) == ["no_scale", "row_not_column"]  # most common first
    assert store.mistake_counts("a2") == {}  # dave's named mistake came with an unreadable answer
    assert store.mistake_counts("nothing") == {}


def test_csv_export_reads_back_with_the_csv_module(store):
    fill_class(store)
    submit(store, "10", 'o"brien, jr', 0, 1.0 / 3)  # a comma and a quote: RFC 4180 quoting
    text = store.csv_export(["a1", "a2"], sizes={"a1": 4, "a2": 2})
    assert text.startswith("student_id,a1,a2\r\n") and text.endswith("\r\n")
    assert '"o""brien, jr"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [
        ["student_id", "a1", "a2"],
        ["alice", "37.5", ""],
        ["bob", "6.2", "0.0"],  # 6.25 -> 6.2 (nearest float below)
        ["carol", "", ""],
        ["dave", "", "50.0"],
        ['o"brien, jr', "8.3", ""],
    ]


# ---------------------------------------------------------------------------------------------
# append-only


def test_attempts_are_append_only(store, url):
    fill_class(store)
    before = store.attempts("alice", "a1")
    public = [name for name in dir(store) if not name.startswith("_")]
    assert not [name for name in public if any(w in name.lower() for w in ("update", "delete", "remove", "edit"))]
    submit(store, "1", "alice", 0, 0.0, answer="changed?")  # a repeated id changes nothing
    assert store.attempts("alice", "a1") == before
    with Session(store.engine) as session:  # even the ORM refuses
        row = session.scalars(select(AttemptRow).where(AttemptRow.submission_id == "1")).one()
        row.score = 0.0
        with pytest.raises(RuntimeError, match="append-only"):
            session.commit()
        session.rollback()
        session.delete(session.scalars(select(AttemptRow).where(AttemptRow.submission_id == "1")).one())
        with pytest.raises(RuntimeError, match="append-only"):
            session.commit()
    assert store.attempts("alice", "a1") == before


# ---------------------------------------------------------------------------------------------
# where the gradebook lives


def test_resolve_url(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ATTENTION_LAB_DB", raising=False)
    assert resolve_url() == f"sqlite:///{store_module.DEFAULT_SQLITE_PATH}"
    assert store_module.DEFAULT_SQLITE_PATH == REPO / "gradebook.sqlite3"
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "x" / "g.db"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'x' / 'g.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/grades")
    assert resolve_url() == "postgresql+psycopg://u:p@db:5432/grades"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/grades")
    assert resolve_url() == "postgresql+psycopg://u@db/grades"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/grades")
    assert resolve_url() == "postgresql+psycopg://u@db/grades"
    assert resolve_url(f"sqlite:///{tmp_path}/a.db") == f"sqlite:///{tmp_path}/a.db"  # the argument wins


def test_the_sqlite_file_from_the_environment_is_created_with_its_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "new" / "gradebook.sqlite3"))
    s = Store()
    submit(s, "1", "alice")
    s.close()
    assert (tmp_path / "new" / "gradebook.sqlite3").exists()


def test_other_databases_are_refused():
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        Store("mysql://u@localhost/grades")


# ---------------------------------------------------------------------------------------------
# several app processes at once

WORKER = textwrap.dedent("""
    import json, sys
    from exercises.store import Store
    url, name, n, shared = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print("ready", flush=True)
    sys.stdin.readline()  # go: every worker starts at once, on a database with no tables yet
    store = Store(url)
    ids = {}
    for i in range(n):
        if i < shared:  # the same submission reaching both processes (a retry through a load balancer)
            a = store.record(f"shared-{i}", f"student-{i % 10}", "a1", i % 3, "softmax", i, "x", True, 0.5, None)
        else:
            a = store.record(f"{name}-{i}", f"student-{i % 10}", "a1", i % 3, "softmax", i, str(i), True, 1.0, None)
        ids[a.submission_id] = a.id
    store.close()
    print(json.dumps(ids), flush=True)
""")


def run_workers(url: str, names: list[str], n: int, shared: int) -> list[dict[str, int]]:
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, name, str(n), str(shared)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in names]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            results.append(json.loads(out))
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def test_two_processes_record_at_once_with_no_lost_or_doubled_attempt(url):
    a, b = run_workers(url, ["A", "B"], n=50, shared=20)
    store = Store(url)
    assert count_rows(store) == 30 + 30 + 20
    with store.engine.connect() as conn:
        stored = dict(conn.execute(select(attempts.c.submission_id, attempts.c.id)).all())
    store.close()
    assert stored == a | b  # every attempt either process was told about is there, once
    assert all(a[f"shared-{i}"] == b[f"shared-{i}"] for i in range(20))  # both got the one stored row


def test_processes_starting_at_once_on_an_empty_database_all_create_the_tables(url):
    run_workers(url, ["A", "B", "C", "D"], n=1, shared=0)
    store = Store(url)
    assert count_rows(store) == 4
    store.close()


# ---------------------------------------------------------------------------------------------
# what may be stored, and the submission id of a typed answer


def test_the_submission_key_is_one_per_typed_answer_to_one_exercise():
    key = functools.partial(store_module.submission_key, "alice", "a1", 0, "softmax_row", 7)
    assert key("0.2 0.8") == key(" 0.2   0.8 \n") == key("0.2\t0.8") == key("0.2 0.8\r\n")
    assert len({key("0.2 0.8"), key("0.2\n0.8"), key("0.8 0.2"), key("0.2 0.80")}) == 4  # rows and text count
    others = {store_module.submission_key(*args, "0.2 0.8") for args in [
        ("bob", "a1", 0, "softmax_row", 7), ("alice", "a2", 0, "softmax_row", 7), ("alice", "a1", 1, "softmax_row", 7),
        ("alice", "a1", 0, "other", 7), ("alice", "a1", 0, "softmax_row", 8)]}
    assert len(others) == 5 and key("0.2 0.8") not in others
    assert len(key("x" * 10_000)) == 64  # fits the column


def test_answer_problem_refuses_long_answers_and_control_characters():
    problem = store_module.answer_problem
    assert problem("x" * store_module.MAX_ANSWER_CHARS) is None
    assert "at most 10,000" in problem("x" * (store_module.MAX_ANSWER_CHARS + 1))
    for ok in ["1 2\n3 4", "1\t2", "√d_k · Qᵀ", "", "[[1, 2], [3, 4]]"]:
        assert problem(ok) is None, repr(ok)
    for bad in ["\x00", "1\x002", "\x07", "\x1b[0m", "\x7f", "\x85", "\ud800"]:
        assert "U+" in problem(bad), repr(bad)
    assert store_module.clean_answer("1 2\r\n3 4\r") == "1 2\n3 4\n"
