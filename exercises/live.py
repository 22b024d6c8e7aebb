"""The class's answers to one exercise, as they come in: what the live view (app/live_view.py) draws
every few seconds on the projector.

    snapshot(store, assignment, position) -> Live

Two aggregate queries per call, both over the attempts of one exercise (the index
ix_attempts_assignment (assignment_id, position) finds them): how many students submitted and solved it
together with the named mistakes (a UNION ALL), and each student's latest valid answer grouped. Only
counts come back, never a student's id; the typed text comes back only for a FIXED variant (the same
question for everyone), where it is read here into an option or a number and never shown as typed.

What the bars count (each student once, by their latest valid answer):
    a FIXED choice    one bar per option, in the item's own order and labels (A) ...)
    a FIXED number    one bar per value, rounded to 3 significant digits, in increasing order (at most
                      MAX_VALUES bars: the most common values; the rest are summed in one bar)
    anything else     (drawn variants, whose options and numbers differ per student, or a FIXED matrix,
                      vector or shape) one bar per group: right, partly right, each named mistake,
                      wrong without a named mistake

"Solved" is what page 6 counts: a best valid score at or above the item's pass mark (a choice is solved
by any right answer, even one reduced after wrong tries). For a drawn item the pass mark is the choice's
when every variant of the family is a choice, else full marks.

This module never imports streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType

import numpy as np
from sqlalchemy import String, case, cast, func, literal, null, select, union_all

from exercises import BY_ID
from exercises.assignments import Assignment, Item
from exercises.choices import CHOICE_PASS_MARK, choice_label, parse_choice, pass_mark
from exercises.feedback import AnswerError
from exercises.formatting import format_answer
from exercises.parse import parse_number
from exercises.store import SOLVED, Store, attempts

MAX_VALUES = 12  # bars of a number's answers; the rarer values go into one more bar
_FORM_SAMPLES = 24  # seeds whose forms decide whether a drawn family is always a choice

RIGHT, PARTLY, WRONG = "Right", "Partly right", "Wrong, no named mistake"


@dataclass(frozen=True)
class Bar:
    label: str  # "A) token 2", "0.655", "Right", "Wrong: max_instead_of_softmax", "Other values"
    students: int
    right: bool  # this bar is the right answer (shown only when the instructor reveals it)
    mistake: str | None = None  # the named mistake these answers made


@dataclass(frozen=True)
class Mistake:
    name: str
    students: int  # students who made it at least once (as the dashboard's Mistakes tab counts)
    explanation: str  # the family's own text ("" when it has none)


@dataclass(frozen=True)
class Live:
    kind: str  # "choice", "number" (a FIXED variant's) or "groups"
    submitted: int  # students with a submission, readable or not
    solved: int
    answered: int  # students with a valid answer: the bars' total
    bars: tuple[Bar, ...]
    mistakes: tuple[Mistake, ...]  # most common first
    answer: str | None  # the right answer, for a FIXED variant (everyone's); None for drawn ones


def explanations(family: ModuleType) -> dict[str, str]:
    """A family's texts for its named mistakes (EXPLAIN, and CHOICE_EXPLAIN where it has one)."""
    return {**getattr(family, "CHOICE_EXPLAIN", {}), **getattr(family, "EXPLAIN", {})}


def fixed_params(item: Item) -> dict | None:
    return None if item.variant is None else dict(BY_ID[item.family_id].FIXED[item.variant])


def _form(family: ModuleType, params: dict) -> dict:
    return family.answer_form(params) if hasattr(family, "answer_form") else {"kind": "text"}


@cache
def _always_choice(family_id: str) -> bool:
    family = BY_ID[family_id]
    return all(_form(family, family.generate(np.random.default_rng(s)))["kind"] == "choice"
               for s in range(_FORM_SAMPLES))


def item_pass_mark(item: Item) -> float:
    """The best score at which the item counts as solved (see the module's docstring)."""
    params = fixed_params(item)
    if params is not None:
        return pass_mark(_form(BY_ID[item.family_id], params), SOLVED)
    return CHOICE_PASS_MARK if _always_choice(item.family_id) else SOLVED


# ---------------------------------------------------------------------------------------------
# the two queries


def _of(assignment_id: str, position: int, family_id: str):
    """The attempts of this exercise (not those of a family the instructor has since replaced)."""
    return (attempts.c.assignment_id == assignment_id, attempts.c.position == position,
            attempts.c.family_id == family_id)


@lru_cache(maxsize=256)  # built once per exercise: every refresh of every open view runs the same two
def _counts_query(assignment_id: str, position: int, family_id: str, passed: float):
    """Rows (mistake, students, solved): first (NULL, students who submitted, students who solved), then
    one row per named mistake (mistake, students who made it, 0)."""
    of = _of(assignment_id, position, family_id)
    valid = attempts.c.valid.is_(True)
    best = (select(func.max(case((valid, attempts.c.score))).label("best"))
            .where(*of).group_by(attempts.c.student_id).subquery())
    summary = select(cast(null(), String).label("mistake"), func.count().label("students"),
                     func.coalesce(func.sum(case((best.c.best >= passed, 1), else_=0)), 0).label("solved"))
    named = (select(attempts.c.mistake, func.count(attempts.c.student_id.distinct()), literal(0))
             .where(*of, valid, attempts.c.mistake.is_not(None))
             .group_by(attempts.c.mistake))
    return union_all(summary.select_from(best), named)


@lru_cache(maxsize=256)
def _latest_query(assignment_id: str, position: int, family_id: str, passed: float, with_answer: bool):
    """Each student's latest valid answer, grouped: rows (answer or NULL, grade, mistake, students),
    grade 2 right, 1 partly right, 0 wrong."""
    latest = (select(func.max(attempts.c.id)).where(*_of(assignment_id, position, family_id), attempts.c.valid.is_(True))
              .group_by(attempts.c.student_id))
    grade = case((attempts.c.score >= passed, 2), (attempts.c.score > 0, 1), else_=0).label("grade")
    answer = attempts.c.answer if with_answer else cast(null(), String)
    return (select(answer.label("answer"), grade, attempts.c.mistake, func.count())
            .where(attempts.c.id.in_(latest)).group_by(answer, grade, attempts.c.mistake))


def snapshot(store: Store, assignment: Assignment, position: int) -> Live:
    """The class's answers to exercise `position` of `assignment` now."""
    item = assignment.items[position]
    family = BY_ID[item.family_id]
    passed = item_pass_mark(item)
    params = fixed_params(item)
    form = _form(family, params) if params is not None else None
    kind = form["kind"] if form is not None and form["kind"] in ("choice", "number") else "groups"
    with store._read() as conn:  # the Store's read path: its deadline, and its errors (GradebookError)
        counts = conn.execute(_counts_query(assignment.id, item.position, item.family_id, passed)).all()
        latest = conn.execute(_latest_query(assignment.id, item.position, item.family_id, passed, kind != "groups")).all()
    summary = next(r for r in counts if r[0] is None)
    explain = explanations(family)
    mistakes = sorted((Mistake(m, n, explain.get(m, "")) for m, n, _ in counts if m is not None),
                      key=lambda m: (-m.students, m.name))
    rows = [(a, int(g), m, int(n)) for a, g, m, n in latest]
    if kind == "choice":
        bars = _choice_bars(rows, form["options"], family, params)
    elif kind == "number":
        bars = _number_bars(rows)
    else:
        bars = _group_bars(rows)
    answer = None
    if params is not None:
        solved = family.solve(params)
        answer = solved if isinstance(solved, str) else format_answer(solved)
    return Live(kind, int(summary[1]), int(summary[2]), sum(n for *_, n in rows), tuple(bars), tuple(mistakes), answer)


# ---------------------------------------------------------------------------------------------
# the bars


def _choice_bars(rows, options: list[str], family: ModuleType, params: dict) -> list[Bar]:
    counts = [0] * len(options)
    named: list[str | None] = [None] * len(options)
    other = 0
    for answer, _, mistake, n in rows:
        try:
            i = parse_choice(answer, options)
        except AnswerError:
            other += n
            continue
        counts[i] += n
        named[i] = named[i] or mistake
    right = [family.grade(params, o).score >= SOLVED for o in options]
    bars = [Bar(f"{choice_label(i)}) {o}", counts[i], right[i], named[i]) for i, o in enumerate(options)]
    return bars + ([Bar("Other answers", other, False)] if other else [])


def _number_text(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{v:.3g}" if math.isfinite(v) else str(v)


def _number_bars(rows) -> list[Bar]:
    by_value: dict[float, list] = {}  # rounded value -> [students, right, mistake]
    other = 0
    for answer, grade, mistake, n in rows:
        try:
            value = parse_number(answer, percent_ok=True)
        except AnswerError:
            other += n
            continue
        key = float(f"{value:.3g}") if math.isfinite(value) else value
        entry = by_value.setdefault(key, [0, False, None])
        entry[0] += n
        entry[1] = entry[1] or grade == 2
        entry[2] = entry[2] or mistake
    kept = sorted(by_value, key=lambda v: (-by_value[v][0], v))[:MAX_VALUES]
    other += sum(by_value[v][0] for v in by_value if v not in kept)
    bars = [Bar(_number_text(v), by_value[v][0], by_value[v][1], by_value[v][2]) for v in sorted(kept)]
    return bars + ([Bar("Other values", other, False)] if other else [])


def _group_bars(rows) -> list[Bar]:
    right = sum(n for _, g, _, n in rows if g == 2)
    partly = sum(n for _, g, _, n in rows if g == 1)
    named: dict[str, int] = {}
    for _, g, mistake, n in rows:
        if g == 0 and mistake is not None:
            named[mistake] = named.get(mistake, 0) + n
    plain_wrong = sum(n for _, g, m, n in rows if g == 0 and m is None)
    bars = [Bar(RIGHT, right, True)]
    if partly:
        bars.append(Bar(PARTLY, partly, False))
    bars += [Bar(f"Wrong: {m}", n, False, m) for m, n in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))]
    return bars + [Bar(WRONG, plain_wrong, False)]
