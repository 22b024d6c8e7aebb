"""Assignment files (exercises/assignments.py) and what the pages call (exercises/practice.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from exercises import BY_ID, REGISTRY, practice
from exercises import assignments as assignment_files
from exercises.assignments import AssignmentError, parse
from exercises.base import variant_seed
from exercises.families import softmax_row
from exercises.store import Store

REPO = Path(__file__).resolve().parents[1]

GOOD = textwrap.dedent("""
    title = "Practice"
    tries = 2
    hints_after = 0

    [[exercise]]
    family = "softmax_row"
    count = 2

    [[exercise]]
    family = "softmax_row"
    tries = 5
""")


def test_parse_expands_counts_and_applies_defaults():
    a = parse(GOOD, "week1.toml", BY_ID)
    assert a.id == "week1" and a.title == "Practice" and a.size == 3
    assert [(i.position, i.family_id, i.tries, i.hints_after) for i in a.items] == [
        (0, "softmax_row", 2, 0), (1, "softmax_row", 2, 0), (2, "softmax_row", 5, 0)]


@pytest.mark.parametrize("text, message", [
    ("title = ", "not valid TOML"),
    ('title = "x"', "no exercises"),
    ('colour = "red"\n[[exercise]]\nfamily = "softmax_row"', "unknown setting colour"),
    ('id = "a b"\n[[exercise]]\nfamily = "softmax_row"', "id must be"),
    ('[[exercise]]\nfamily = "softmax"', "family 'softmax' is not one of"),
    ('[[exercise]]\nfamily = "softmax_row"\ncount = 0', "count must be a whole number from 1 to 20"),
    ('tries = 0\n[[exercise]]\nfamily = "softmax_row"', "tries must be a whole number from 1"),
    ('tries = true\n[[exercise]]\nfamily = "softmax_row"', "tries must be a whole number"),
    ('[[exercise]]\nfamily = "softmax_row"\nvariant = "lecture"', "has no variant 'lecture'"),
    ('[[exercise]]\nfamily = "softmax_row"\nweight = 2', "exercise 1: unknown setting weight"),
])
def test_parse_refuses_with_a_message_that_names_the_file(text, message):
    with pytest.raises(AssignmentError, match=message) as err:
        parse(text, "bad.toml", BY_ID)
    assert str(err.value).startswith("bad.toml")


def test_load_skips_bad_files_and_duplicate_ids(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD)
    (tmp_path / "b.toml").write_text('id = "a"\n[[exercise]]\nfamily = "softmax_row"\n')
    (tmp_path / "c.toml").write_text("nonsense = [")
    (tmp_path / "notes.txt").write_text("ignored")
    found, errors = assignment_files.load(tmp_path)
    assert [a.id for a in found] == ["a"]
    assert len(errors) == 2 and "already used" in errors[0] and errors[1].startswith("c.toml")
    assert assignment_files.load(tmp_path / "missing") == ([], [f"The assignments folder {tmp_path / 'missing'} "
                                                                f"does not exist."])


def test_the_shipped_assignments_load_one_per_lecture():
    found, errors = assignment_files.load(REPO / "assignments")
    assert errors == []
    assert [a.id for a in found] == ["lecture8", "lecture9"]
    used = {i.family_id for a in found for i in a.items}
    assert used == set(BY_ID), f"families in no assignment: {set(BY_ID) - used}"
    lecture8 = found[0]
    assert lecture8.items[0].family_id == "attention_weights" and lecture8.items[0].variant == "lecture"


def test_every_family_is_registered_once():
    assert len(REGISTRY) == len(BY_ID) == 13
    assert len({m.TITLE for m in REGISTRY}) == 13


# --- practice ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, sid", [("  JDoe42 ", "jdoe42"), ("a.b-c_d@uw.edu", "a.b-c_d@uw.edu"), ("ALICE", "alice")])
def test_student_ids_are_normalized(typed, sid):
    assert practice.normalize_student_id(typed) == sid


@pytest.mark.parametrize("typed", ["", "  ", None, "a b", "=cmd", "-x", "x" * 65, "<script>", "ali;ce"])
def test_student_ids_refused_with_a_message(typed):
    with pytest.raises(practice.SignInError):
        practice.normalize_student_id(typed)


def test_class_code():
    assert practice.class_code_ok(None, None) and practice.class_code_ok("", "anything")
    assert practice.class_code_ok("attn", " attn ") and not practice.class_code_ok("attn", "Attn")
    assert not practice.class_code_ok("attn", None)


def assignment():
    return parse(GOOD, "week1.toml", BY_ID)


def test_a_variant_is_the_same_in_another_process():
    a = assignment()
    ex = practice.exercise("alice", a, 1)
    assert ex.seed == variant_seed("alice", "week1", 1)
    script = textwrap.dedent(f"""
        from exercises import BY_ID, practice
        from exercises.assignments import parse
        a = parse({GOOD!r}, "week1.toml", BY_ID)
        print(practice.exercise("alice", a, 1).params)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(ex.params)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'gb.sqlite3'}")
    yield s
    s.close()


def test_submit_grades_stores_and_closes(store):
    a = assignment()
    p = practice.exercise("alice", a, 0).params
    out = practice.submit(store, "alice", a, 0, "banana", "s1")
    assert not out.feedback.valid and out.stored and out.state.tries == 0
    out = practice.submit(store, "alice", a, 0, softmax_row.MISTAKES["no_exponent"](p) or "0 0 0", "s2")
    assert out.feedback.valid and out.state.tries == 1 and out.state.show_hint  # hints_after = 0
    assert not out.state.earned_solution
    with pytest.raises(PermissionError):
        practice.solution(practice.exercise("alice", a, 0), out.state)
    out = practice.submit(store, "alice", a, 0, "0.1 0.2 0.7" if len(p["scores"]) == 3 else "0.1 0.2 0.3 0.4", "s3")
    assert out.state.closed and out.state.tries == 2 and out.state.earned_solution
    sol = practice.solution(practice.exercise("alice", a, 0), out.state)
    assert sol.answer == softmax_row.solve(p) and sol.worked
    late = practice.submit(store, "alice", a, 0, softmax_row.solve(p), "s4")
    assert not late.stored and "finished" in late.feedback.message
    assert len(store.attempts("alice", "week1", 0)) == 3
    assert practice.total(practice.states(store, "alice", a)) == pytest.approx(out.state.score / 3)


def test_a_repeated_submission_is_stored_once(store):
    a = assignment()
    p = practice.exercise("bob", a, 0).params
    first = practice.submit(store, "bob", a, 0, softmax_row.solve(p), "same")
    again = practice.submit(store, "bob", a, 0, softmax_row.solve(p), "same")
    assert first.state.solved and len(store.attempts("bob", "week1")) == 1
    assert again.feedback.correct and again.state.tries == 1  # the same submission: the same outcome


def test_a_broken_family_shows_a_message_not_a_traceback(store, monkeypatch):
    a = assignment()
    monkeypatch.setattr(softmax_row, "grade", lambda p, answer: 1 / 0)
    out = practice.submit(store, "carol", a, 0, "0.3 0.3 0.4", "x1")
    assert not out.feedback.valid and "problem on our side" in out.feedback.message


def test_attempts_of_a_replaced_exercise_do_not_count(store):
    a = assignment()
    store.record("old", "dave", "week1", 0, "some_old_family", 1, "x", True, 1.0)
    assert practice.states(store, "dave", a)[0].tries == 0


def test_concurrent_submits_from_two_tabs_never_exceed_the_tries(store):
    a = assignment()
    barrier = threading.Barrier(6)
    results = []

    def one(i):
        barrier.wait()
        results.append(practice.submit(store, "erin", a, 0, "0.5 0.25 0.25 0", f"t{i}"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([a for a in store.attempts("erin", "week1") if a.valid]) <= 2
    assert sum(r.stored for r in results) == len(store.attempts("erin", "week1"))


def test_grid_answers_become_text_and_empty_cells_are_named():
    edits = {"edited_rows": {0: {"1": 1, "2": "2 "}, 1: {"1": None}, 5: {"1": 9}}, "added_rows": []}
    assert practice.grid_answer(2, 2, edits) == "1 2; ? ?"
    assert practice.grid_answer(1, 3, None) == "? ? ?"
    a = parse('[[exercise]]\nfamily = "qkv_projection"\n', "g.toml", BY_ID)
    ex = practice.exercise("alice", a, 0)
    form = ex.form()
    right = practice.solution(ex, None).answer
    cells = [row.split() for row in right.split("; ")]
    edits = {"edited_rows": {i: {str(j + 1): v for j, v in enumerate(row)} for i, row in enumerate(cells)}}
    assert practice.grade(ex, practice.grid_answer(form["rows"], form["cols"], edits)).correct
    del edits["edited_rows"][0]["2"]
    fb = practice.grade(ex, practice.grid_answer(form["rows"], form["cols"], edits))
    assert not fb.valid and "Row 1, column 2" in fb.message
