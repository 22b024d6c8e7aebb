"""exercises/live.py against a slow loop spec over the raw rows, on SQLite and a real PostgreSQL: a class
answers through the real submit path (exercises/submission.py), with right answers, named mistakes,
wrong and unreadable ones, and a family the instructor replaced."""

from __future__ import annotations

import math
import statistics
import time

import numpy as np
import pytest
from sqlalchemy import select

from exercises import BY_ID, live, practice, submission
from exercises.assignments import Assignment, Item
from exercises.choices import parse_choice, pass_mark
from exercises.formatting import format_answer
from exercises.parse import parse_number
from exercises.store import SOLVED, Store, attempts
from exercises.store import students as students_table
from tests.postgres import new_postgres_database

ITEMS = (("attention_weights", "lecture"),  # a FIXED choice: options the same for everyone
         ("attention_weights", "lecture_probability"),  # a FIXED number
         ("softmax_row", None),  # drawn: a vector each
         ("concepts", None))  # drawn choices, options shuffled per student
CLASS = Assignment("ice", "ICE", "", tuple(Item(i, f, v, 3, 1) for i, (f, v) in enumerate(ITEMS)), "ice.toml")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'gradebook.sqlite3'}" if request.param == "sqlite"
           else new_postgres_database(request.getfixturevalue("postgres_url")))
    s = Store(url)
    yield s
    s.close()


def answers(ex) -> list[str]:
    """What a class types: the right answer, each named mistake's typical answer, other wrong and unreadable
    ones."""
    right = practice.solution(ex, None).answer
    typed = [fn(ex.params) for fn in ex.family.MISTAKES.values()]
    typed = [t if isinstance(t, str) else format_answer(t) for t in typed if t is not None]
    form = ex.form()
    other = {"choice": form.get("options", ["x"])[-1], "number": "0.123"}.get(form["kind"], "1 2 3")
    return [right, right.upper(), *typed, other, "what?", "B"]


def submit_class(store: Store, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for s in range(n):
        sid = f"student{s:03d}"
        for position in range(CLASS.size):
            options = answers(practice.exercise(sid, CLASS, position))
            for _ in range(int(rng.integers(0, 4))):
                submission.submit(store, sid, CLASS, position, options[int(rng.integers(len(options)))])
    # a replaced family's attempts at position 0 are not this exercise's
    store.record("old", "student000", "ice", 0, "softmax_row", 1, "0.5 0.5", True, 1.0)


def spec(store: Store, position: int) -> dict:
    """The live view's figures, by loops over every row of the class."""
    item = CLASS.items[position]
    with store.engine.connect() as conn:
        rows = [r._mapping for r in conn.execute(select(attempts).order_by(attempts.c.id))]
    rows = [r for r in rows if r["assignment_id"] == "ice" and r["position"] == position
            and r["family_id"] == item.family_id]
    by_student: dict[str, list] = {}
    for r in rows:
        by_student.setdefault(r["student_id"], []).append(r)
    solved = 0
    latest = []
    for sid, mine in by_student.items():
        ex = practice.exercise(sid, CLASS, position)
        valid = [r for r in mine if r["valid"]]
        if valid and max(r["score"] for r in valid) >= pass_mark(ex.form(), SOLVED):
            solved += 1
        if valid:
            latest.append((ex, valid[-1]))
    mistakes: dict[str, set] = {}
    for r in rows:
        if r["valid"] and r["mistake"]:
            mistakes.setdefault(r["mistake"], set()).add(r["student_id"])
    bars: dict[str, int] = {}
    kind = practice.exercise("anyone", CLASS, position).form()["kind"] if item.variant else "groups"
    for ex, r in latest:
        if kind == "choice":
            options = ex.form()["options"]
            i = parse_choice(r["answer"], options)
            label = f"{'ABCDEFGH'[i]}) {options[i]}"
        elif kind == "number":
            value = parse_number(r["answer"], percent_ok=True)
            label = format(float(format(value, ".3g")), ".3g")
        elif r["score"] >= pass_mark(ex.form(), SOLVED):
            label = live.RIGHT
        elif r["score"] > 0:
            label = live.PARTLY
        else:
            label = f"Wrong: {r['mistake']}" if r["mistake"] else live.WRONG
        bars[label] = bars.get(label, 0) + 1
    return {"submitted": len(by_student), "solved": solved, "answered": len(latest),
            "bars": {k: v for k, v in bars.items() if v}, "mistakes": {m: len(s) for m, s in mistakes.items()}}


def test_the_live_figures_match_a_loop_over_every_row(store):
    submit_class(store, 24)
    for position in range(CLASS.size):
        now = live.snapshot(store, CLASS, position)
        want = spec(store, position)
        assert (now.submitted, now.solved, now.answered) == (want["submitted"], want["solved"], want["answered"])
        assert {b.label: b.students for b in now.bars if b.students} == want["bars"], position
        assert {m.name: m.students for m in now.mistakes} == want["mistakes"]
        assert [m.students for m in now.mistakes] == sorted((m.students for m in now.mistakes), reverse=True)
        assert sum(b.students for b in now.bars) == now.answered
    assert any(m.explanation for m in live.snapshot(store, CLASS, 2).mistakes)  # the family's own texts


def test_a_fixed_choice_shows_every_option_in_order_and_knows_the_right_one(store):
    ex = practice.exercise("ada", CLASS, 0)
    options = ex.form()["options"]
    right = practice.solution(ex, None).answer
    for sid, typed in (("ada", right), ("bob", options[0] if options[0] != right else options[-1]), ("cy", "what?")):
        submission.submit(store, sid, CLASS, 0, typed)
    now = live.snapshot(store, CLASS, 0)
    assert now.kind == "choice" and [b.label[3:] for b in now.bars] == options
    assert [b.right for b in now.bars] == [o == right for o in options]
    assert (now.submitted, now.solved, now.answered) == (3, 1, 2) and now.answer == right


def test_a_fixed_number_is_a_histogram_of_values_and_nothing_else_leaks(store):
    ex = practice.exercise("ada", CLASS, 1)
    right = float(practice.solution(ex, None).answer)
    for i in range(3):
        submission.submit(store, f"s{i}", CLASS, 1, f"{right:.4f}")
    submission.submit(store, "ada_lovelace", CLASS, 1, "0.25")
    now = live.snapshot(store, CLASS, 1)
    assert now.kind == "number"
    assert [(b.label, b.students, b.right) for b in now.bars] == [("0.25", 1, False), (f"{right:.3g}", 3, True)]
    shown = repr(now)
    assert "ada" not in shown and "s0" not in shown and math.isfinite(right)


def test_an_empty_exercise(store):
    now = live.snapshot(store, CLASS, 3)
    assert (now.submitted, now.solved, now.answered, now.mistakes) == (0, 0, 0, ())
    assert [b.label for b in now.bars] == [live.RIGHT, live.WRONG] and now.answer is None


def test_the_pass_mark_of_drawn_items():
    assert live.item_pass_mark(CLASS.items[3]) < 1e-6  # concepts: always a choice, any right answer solves it
    assert live.item_pass_mark(CLASS.items[2]) == SOLVED
    assert live.item_pass_mark(Item(0, "attention_weights", None, 3, 1)) == SOLVED  # sometimes a choice


def test_every_family_has_an_explanation_for_its_mistakes():
    for family in BY_ID.values():
        assert set(family.MISTAKES) <= set(live.explanations(family)), family.ID


def fill(store: Store, students: int = 300, tries: int = 5, seed: int = 0) -> int:
    """`students` × `tries` graded attempts at each exercise of CLASS, written in one bulk insert (the try
    limit is not applied: a worst case for the live view's queries); the number of rows written."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(students):
        sid = f"student{s:04d}"
        for position in range(CLASS.size):
            ex = practice.exercise(sid, CLASS, position)
            options = answers(ex)
            for t in range(tries):
                typed = options[int(rng.integers(len(options)))]
                fb = submission.grade(ex, typed)
                rows.append({"submission_id": f"{sid}/{position}/{t}", "student_id": sid, "assignment_id": CLASS.id,
                             "position": position, "family_id": ex.family.ID, "seed": ex.seed, "answer": typed,
                             "valid": fb.valid, "score": fb.score, "mistake": fb.mistake})
    with store.engine.begin() as conn:
        conn.execute(students_table.insert(), [{"id": sid} for sid in sorted({r["student_id"] for r in rows})])
        conn.execute(attempts.insert(), rows)
    return len(rows)


def refresh_seconds(store: Store, position: int, runs: int = 10) -> float:
    """The median server time of one refresh of the live view (snapshot), over `runs` after a warm-up."""
    live.snapshot(store, CLASS, position)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        live.snapshot(store, CLASS, position)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_a_refresh_stays_cheap_with_300_students_and_5_attempts_each(store):
    """A short version of benchmarks/live_refresh.py: 300 students × 5 attempts at each of 4 exercises."""
    fill(store, 300, 5)
    assert live.snapshot(store, CLASS, 2).submitted == 300
    worst = max(refresh_seconds(store, position, runs=5) for position in range(CLASS.size))
    print(f"{store.dialect}: a refresh takes {1000 * worst:.1f} ms (median, the slowest exercise)")
    assert worst < 0.5  # generous: a shared 2-core machine; about 10 ms when it is quiet
