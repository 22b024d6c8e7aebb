"""Assignment files (exercises/assignments.py) and what the pages call (exercises/practice.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises import BY_ID, REGISTRY, identity, practice, submission
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


WRONG_TYPES = ['["softmax_row"]', "{a = 1}", "[]", "1.5", "true", "1979-05-27", "12:30:00"]
TOO_LONG = '"' + "x" * 300 + '"'
EX = '[[exercise]]\nfamily = "softmax_row"\n'
WRONG = {  # key: values that are wrong for it (beside WRONG_TYPES)
    "id": ["1", TOO_LONG, '"a b"', '""'], "title": ["1", TOO_LONG, '"' + "x" * 201 + '"'], "description": ["1"],
    "tries": ['"3"', "0", "-1", "21", str(2**63 - 1)], "hints_after": ['"1"', "-1", "21"], "exercise": ["1", '"x"'],
    "family": ["1", '"softmax"', TOO_LONG], "variant": ["1", '"nope"', TOO_LONG], "count": ['"2"', "0", "21"],
}
TOP = ("id", "title", "description", "tries", "hints_after", "exercise")


def bad_documents():
    """(name, text): one wrong value in every key of an assignment and of an exercise entry."""
    for key, values in WRONG.items():
        for value in WRONG_TYPES + values:
            if key in TOP:
                yield f"top {key} = {value[:20]}", f"{key} = {value}\n" + ("" if key == "exercise" else EX)
            if key not in ("id", "title", "description", "exercise"):
                family = "" if key == "family" else 'family = "attention_weights"\n'
                yield f"exercise {key} = {value[:20]}", f"[[exercise]]\n{family}{key} = {value}\n"
    yield "exercise not a table", "exercise = [1, 2]"
    yield "exercise a table of tables", "[exercise.a]\nfamily = 'softmax_row'"
    yield "unknown key", 'colour = "red"\n' + EX
    yield "unknown exercise key", EX + "weight = 2\n"
    yield "deep", "x = " + "[" * 5000 + "]" * 5000
    yield "long unknown key", '"' + "k" * 5000 + '" = 1\n' + EX
    yield "too many entries", EX * 201


BAD_DOCUMENTS = list(bad_documents())


@pytest.mark.parametrize("name, text", BAD_DOCUMENTS, ids=[n for n, _ in BAD_DOCUMENTS])
def test_every_wrong_type_is_refused_with_a_short_message(name, text):
    with pytest.raises(AssignmentError) as err:
        parse(text, "bad.toml", BY_ID)
    message = str(err.value)
    assert message.startswith("bad.toml") and "Fix:" in message and len(message) < 700


def test_the_issue_probes_name_what_is_wrong():
    for text, words in [
        ('[[exercise]]\nfamily = ["softmax_row"]', "family a list [...] is not one of"),
        ('[[exercise]]\nfamily = {a = 1}', "family a table {...} is not one of"),
        ('[[exercise]]\nfamily = "attention_weights"\nvariant = ["lecture"]', "has no variant a list [...]"),
        ('"zz top" = 1\n[[exercise]]\nfamily = "softmax_row"', "unknown setting zz top"),
    ]:
        with pytest.raises(AssignmentError, match=re.escape(words)):
            parse(text, "bad.toml", BY_ID)


def test_one_bad_file_of_each_kind_leaves_the_others_loading(tmp_path):
    (tmp_path / "a_good.toml").write_text(GOOD)
    (tmp_path / "z_good.toml").write_text('id = "z"\n' + EX)
    (tmp_path / "list.toml").write_text('[[exercise]]\nfamily = ["softmax_row"]')
    (tmp_path / "table.toml").write_text('[[exercise]]\nfamily = {a = 1}')
    (tmp_path / "variant.toml").write_text('[[exercise]]\nfamily = "attention_weights"\nvariant = ["lecture"]')
    (tmp_path / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000)
    (tmp_path / "latin1.toml").write_bytes('title = "Café"\n'.encode("latin-1") + EX.encode())
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + EX.encode())
    (tmp_path / "big.toml").write_bytes(b"#" * 1_000_001)
    (tmp_path / "pipe.toml").touch()
    (tmp_path / "pipe.toml").unlink()
    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    (tmp_path / "outside.toml").symlink_to(REPO / "assignments" / "lecture8.toml")
    (tmp_path / "dup.toml").write_text('id = "a_good"\n' + EX)
    done = []
    loader = threading.Thread(target=lambda: done.append(assignment_files.load(tmp_path)), daemon=True)
    loader.start()
    loader.join(timeout=30)
    assert not loader.is_alive(), "a file blocked the loader"
    found, errors = done[0]
    assert [a.id for a in found] == ["a_good", "z"]
    assert len(errors) == 12
    assert all("Fix:" in e for e in errors)
    by_file = {e.split(":")[0]: e for e in errors}
    assert "already used by a_good.toml" in by_file["dup.toml"]
    assert "named pipe" in by_file["pipe.toml"] and "is a folder" in by_file["dir.toml"]
    assert str(tmp_path) not in " ".join(errors) and "/dev/zero" not in " ".join(errors)


TOML_KEYS = st.sampled_from(["id", "title", "description", "tries", "hints_after", "exercise", "family",
                             "variant", "count", "x", "ü", ""])
TOML_SCALARS = st.one_of(st.integers(-2**63, 2**63 - 1), st.booleans(), st.text(max_size=20),
                         st.floats(allow_nan=False, allow_infinity=False),
                         st.sampled_from(["softmax_row", "attention_weights", "lecture", "week1"]))
TOML_VALUES = st.recursive(TOML_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TOML_KEYS, inner, max_size=4)), max_leaves=12)


def toml_value(v) -> str:
    """A small TOML writer for the fuzz documents (inline forms only)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top=st.dictionaries(TOML_KEYS, TOML_VALUES, max_size=6),
       entries=st.lists(st.dictionaries(TOML_KEYS, TOML_VALUES, max_size=5), max_size=3),
       noise=st.text(max_size=30))
def test_fuzz_the_loader_returns_an_assignment_or_a_message(top, entries, noise):
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in top.items() if k != "exercise"]
    for entry in entries:
        lines += ["[[exercise]]"] + [f"{json.dumps(k)} = {toml_value(v)}" for k, v in entry.items()]
    for text in ("\n".join(lines), "\n".join(lines) + "\n" + noise, noise + "\n".join(lines)):
        try:
            a = parse(text, "fuzz.toml", BY_ID)
        except AssignmentError as e:
            assert str(e).startswith("fuzz.toml") and "Fix:" in str(e) and len(str(e)) < 1000
        else:
            assert a.size >= 1 and all(i.family_id in BY_ID for i in a.items)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_arbitrary_bytes_in_a_folder(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "f.toml").write_bytes(data)
    (folder / "good.toml").write_text(GOOD)
    found, errors = assignment_files.load(folder)
    assert "good" in [a.id for a in found]
    assert all(e.startswith("f.toml") for e in errors)


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
    assert identity.normalize_student_id(typed) == sid


@pytest.mark.parametrize("typed", ["", "  ", None, "a b", "=cmd", "-x", "x" * 65, "<script>", "ali;ce"])
def test_student_ids_refused_with_a_message(typed):
    with pytest.raises(identity.SignInError):
        identity.normalize_student_id(typed)


def test_class_code():
    assert identity.class_code_ok(None, None) and identity.class_code_ok("", "anything")
    assert identity.class_code_ok("attn", " attn ") and not identity.class_code_ok("attn", "Attn")
    assert not identity.class_code_ok("attn", None)


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
    out = submission.submit(store, "alice", a, 0, "banana")
    assert not out.feedback.valid and out.stored and out.state.tries == 0
    out = submission.submit(store, "alice", a, 0, softmax_row.MISTAKES["no_exponent"](p) or "0 0 0")
    assert out.feedback.valid and out.state.tries == 1 and out.state.show_hint  # hints_after = 0
    assert not out.state.earned_solution
    with pytest.raises(PermissionError):
        practice.solution(practice.exercise("alice", a, 0), out.state)
    out = submission.submit(store, "alice", a, 0, "0.1 0.2 0.7" if len(p["scores"]) == 3 else "0.1 0.2 0.3 0.4")
    assert out.state.closed and out.state.tries == 2 and out.state.earned_solution
    sol = practice.solution(practice.exercise("alice", a, 0), out.state)
    assert sol.answer == softmax_row.solve(p) and sol.worked
    late = submission.submit(store, "alice", a, 0, softmax_row.solve(p))
    assert not late.stored and "finished" in late.feedback.message
    assert len(store.attempts("alice", "week1", 0)) == 3
    assert practice.total(practice.states(store, "alice", a)) == pytest.approx(out.state.score / 3)


def test_a_repeated_submission_is_stored_once(store):
    a = assignment()
    p = practice.exercise("bob", a, 0).params
    first = submission.submit(store, "bob", a, 0, softmax_row.solve(p))
    again = submission.submit(store, "bob", a, 0, softmax_row.solve(p))
    assert first.state.solved and len(store.attempts("bob", "week1")) == 1
    assert again.feedback == first.feedback and again.state.tries == 1 and again.repeated  # the same outcome


def test_a_broken_family_shows_a_message_not_a_traceback(store, monkeypatch):
    a = assignment()
    monkeypatch.setattr(softmax_row, "grade", lambda p, answer: 1 / 0)
    out = submission.submit(store, "carol", a, 0, "0.3 0.3 0.4")
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
        results.append(submission.submit(store, "erin", a, 0, f"0.5 0.25 0.25 0.{i}"))  # six different answers

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([a for a in store.attempts("erin", "week1") if a.valid]) <= 2
    assert sum(r.stored for r in results) == len(store.attempts("erin", "week1"))


def test_grid_answers_become_text_and_empty_cells_are_named():
    edits = {"edited_rows": {0: {"1": 1, "2": "2 "}, 1: {"1": None}, 5: {"1": 9}}, "added_rows": []}
    assert submission.grid_answer(2, 2, edits) == "1 2; ? ?"
    assert submission.grid_answer(1, 3, None) == "? ? ?"
    a = parse('[[exercise]]\nfamily = "qkv_projection"\n', "g.toml", BY_ID)
    ex = practice.exercise("alice", a, 0)
    form = ex.form()
    right = practice.solution(ex, None).answer
    cells = [row.split() for row in right.split("; ")]
    edits = {"edited_rows": {i: {str(j + 1): v for j, v in enumerate(row)} for i, row in enumerate(cells)}}
    assert submission.grade(ex, submission.grid_answer(form["rows"], form["cols"], edits)).correct
    del edits["edited_rows"][0]["2"]
    fb = submission.grade(ex, submission.grid_answer(form["rows"], form["cols"], edits))
    assert not fb.valid and "Row 1, column 2" in fb.message


# --- the loader's cache: the page loads the assignments on every run ------------------------------


def _age(path: Path, seconds: float = 60) -> None:
    """Date a file back, as an assignment written before the class began (outside the racy window)."""
    old = path.stat().st_mtime - seconds
    os.utime(path, (old, old))


def test_an_unchanged_file_is_not_read_again_and_an_edit_shows_at_the_next_load(tmp_path, monkeypatch):
    a = tmp_path / "a.toml"
    a.write_text('id = "a"\ntitle = "First"\n[[exercise]]\nfamily = "softmax_row"\n')
    _age(a)
    reads = []
    real_read = assignment_files.toml_files.read
    monkeypatch.setattr(assignment_files.toml_files, "read", lambda *args: reads.append(args) or real_read(*args))
    first, _ = assignment_files.load(tmp_path)
    again, _ = assignment_files.load(tmp_path)
    assert again == first and len(reads) == 1  # read once

    a.write_text('id = "a"\ntitle = "Second"\n[[exercise]]\nfamily = "softmax_row"\n')  # same size, same second
    assert [x.title for x in assignment_files.load(tmp_path)[0]] == ["Second"]
    a.write_text('id = "a"\ntitle = "Third!"\n[[exercise]]\nfamily = "softmax_row"\n')  # a moment later: read again
    assert [x.title for x in assignment_files.load(tmp_path)[0]] == ["Third!"]
    _age(a)
    assignment_files.load(tmp_path)
    n = len(reads)
    a.chmod(0o000)  # made unreadable: its change time moves, so it is looked at again
    try:
        if os.geteuid() != 0:  # root reads it anyway
            found, errors = assignment_files.load(tmp_path)
            assert not found and "a.toml" in errors[0]
        else:
            assignment_files.load(tmp_path)
        assert len(reads) == n + 1
    finally:
        a.chmod(0o644)


def test_a_bad_file_is_reported_on_every_load_and_its_fix_shows(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\n[[exercise]]\nfamily = "no_such_family"\n')
    _age(bad)
    for _ in range(2):
        found, errors = assignment_files.load(tmp_path)
        assert not found and "no_such_family" in errors[0]
    bad.write_text('id = "bad"\n[[exercise]]\nfamily = "softmax_row"\n')
    found, errors = assignment_files.load(tmp_path)
    assert [x.id for x in found] == ["bad"] and not errors
    bad.unlink()
    assert assignment_files.load(tmp_path) == ([], [])


def test_an_exercise_is_memoised_and_still_each_students_own():
    a = parse('id = "m"\n[[exercise]]\nfamily = "softmax_row"\ncount = 2\n', "m.toml", BY_ID)
    assert practice.exercise("ada", a, 1) is practice.exercise("ada", a, 1)
    assert practice.exercise("ada", a, 1).params != practice.exercise("bob", a, 1).params
    assert practice.exercise("ada", a, 0).seed == variant_seed("ada", "m", 0)
    longer = parse('id = "m"\ntries = 5\n[[exercise]]\nfamily = "softmax_row"\ncount = 2\n', "m.toml", BY_ID)
    assert practice.exercise("ada", longer, 1).item.tries == 5  # an edited assignment is a new exercise


def test_a_submit_hands_the_page_the_attempts_it_read_and_stored(store):
    """The page's run after a Submit draws the score from Outcome.attempts instead of reading them again:
    they must be what the gradebook holds."""
    a = assignment()
    p = practice.exercise("cy", a, 1).params
    submission.submit(store, "cy", a, 0, "banana")
    out = submission.submit(store, "cy", a, 1, softmax_row.solve(p))
    assert out.attempts == store.attempts("cy", "week1")
    assert practice.states(store, "cy", a, attempts=out.attempts) == practice.states(store, "cy", a)
    again = submission.submit(store, "cy", a, 1, softmax_row.solve(p))  # a double click: nothing new stored
    assert again.repeated and again.attempts == store.attempts("cy", "week1")
