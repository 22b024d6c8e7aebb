"""What the Exercises page and the instructor dashboard call: a student's exercise, its state, and
what the student has earned the right to see (a submission is exercises/submission.py's).

One rule runs through it: the right answer and the worked solution are computed only through
`solution()`, and the page calls it only when `State.earned_solution` is true (solved, or every try
used; for the lecture's FIXED variants an unverified id must solve it). Nothing else here returns
them, so they cannot reach the browser early by accident.

This module never imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from types import ModuleType

import numpy as np

from exercises import BY_ID
from exercises.assignments import Assignment, Item
from exercises.base import format_answer, variant_seed
from exercises.choices import choice_tries, pass_mark
from exercises.store import (
    SOLVED,
    Attempt,
    Store,
)

# ---------------------------------------------------------------------------------------------
# a student's exercise

EXERCISES_KEPT = 20_000  # memoised exercises: a class of 500 students on two 20-exercise assignments


@dataclass(frozen=True)
class Exercise:
    assignment_id: str
    item: Item
    family: ModuleType
    seed: int
    params: dict

    @property
    def position(self) -> int:
        return self.item.position

    @property
    def title(self) -> str:
        return self.family.TITLE

    def prompt(self) -> str:
        return self.family.prompt(self.params)

    def tables(self) -> dict[str, list]:
        return self.family.tables(self.params) if hasattr(self.family, "tables") else {}

    def form(self) -> dict:
        return self.family.answer_form(self.params) if hasattr(self.family, "answer_form") else {"kind": "text"}

    def hint(self) -> str | None:
        if hasattr(self.family, "hint"):
            return self.family.hint(self.params)
        return getattr(self.family, "HINT", None)


def _params(family: ModuleType, seed: int, variant: str | None) -> dict:
    if variant is not None:
        return dict(family.FIXED[variant])
    return family.generate(np.random.default_rng(seed))


def exercise(student_id: str, assignment: Assignment, position: int) -> Exercise:
    """The student's own variant of one exercise: the same on every reload, process and machine.
    Memoised (the page needs every exercise of the assignment on every run): treat it as read-only."""
    return _exercise(student_id, assignment.id, assignment.items[position])


@lru_cache(maxsize=EXERCISES_KEPT)
def _exercise(student_id: str, assignment_id: str, item: Item) -> Exercise:
    family = BY_ID[item.family_id]
    seed = variant_seed(student_id, assignment_id, item.position)
    ex = Exercise(assignment_id, item, family, seed, _params(family, seed, item.variant))
    return replace(ex, item=replace(item, tries=choice_tries(item.tries, ex.form())))  # few options: fewer tries


def exercise_title(assignment: Assignment, position: int) -> str:
    """An exercise's title for a list (no params needed): the family's, marked when it is the lecture's own."""
    item = assignment.items[position]
    title = BY_ID[item.family_id].TITLE
    return f"{title} (the lecture's)" if item.variant == "lecture" else title


def preview(family_id: str, seed: int, variant: str | None = None, tries: int = 3) -> Exercise:
    """Any family at any seed (or FIXED variant), for the instructor."""
    family = BY_ID[family_id]
    return Exercise("preview", Item(0, family_id, variant, tries, 1), family, seed, _params(family, seed, variant))


# ---------------------------------------------------------------------------------------------
# where a student stands


@dataclass(frozen=True)
class State:
    """One student's state on one exercise."""

    tries: int  # valid tries used
    max_tries: int
    best: float | None  # best valid score, None before the first valid try
    last_answer: str  # the latest answer, readable or not ("" before any)
    last_score: float | None  # the latest answer's score, None when it could not be read (or before any)
    hints_after: int
    fixed: bool = False  # a FIXED variant (the lecture's own): the same numbers for every student
    verified: bool = False  # the student proved who they are (roster code, single sign-on)
    solved_at: float = SOLVED  # the best score that solves it (exercises.choices.pass_mark)

    @property
    def solved(self) -> bool:
        return self.best is not None and self.best >= self.solved_at

    @property
    def tries_left(self) -> int:
        return max(self.max_tries - self.tries, 0)

    @property
    def closed(self) -> bool:
        """No more tries: solved, or every try used."""
        return self.solved or self.tries_left == 0

    @property
    def earned_solution(self) -> bool:
        """Solved, or every try used. Except: a FIXED variant's answer is every student's answer, so an
        unverified id (class code only, a bare id, practice) earns it only by solving it; otherwise a
        throwaway id could spend its tries and read the answer for the whole class."""
        if self.solved:
            return True
        return self.closed and (self.verified or not self.fixed)

    @property
    def show_hint(self) -> bool:
        wrong = self.tries - (1 if self.solved else 0)
        return not self.solved and wrong >= self.hints_after

    @property
    def score(self) -> float:
        return self.best or 0.0


def exercise_state(item: Item, rows: list[Attempt], verified: bool = False, solved_at: float = SOLVED) -> State:
    rows = [a for a in rows if a.family_id == item.family_id]  # an exercise the instructor replaced
    valid = [a for a in rows if a.valid]
    last = rows[-1] if rows else None
    return State(tries=len(valid), max_tries=item.tries, best=max((a.score for a in valid), default=None),
                 last_answer=last.answer if last else "", last_score=last.score if last and last.valid else None,
                 hints_after=item.hints_after, fixed=item.variant is not None, verified=verified,
                 solved_at=solved_at)


def states(store: Store, student_id: str, assignment: Assignment, verified: bool = False,
           attempts: list[Attempt] | None = None) -> list[State]:
    """Every exercise's state, in position order (one query, or none when `attempts`, the student's
    attempts to this assignment oldest first, are given). verified: the student proved who they are
    (see State.earned_solution)."""
    by_position: dict[int, list[Attempt]] = {}
    for a in store.attempts(student_id, assignment.id) if attempts is None else attempts:
        by_position.setdefault(a.position, []).append(a)
    exercises = [exercise(student_id, assignment, item.position) for item in assignment.items]  # tries, pass mark
    return [exercise_state(ex.item, by_position.get(ex.position, []), verified, pass_mark(ex.form(), SOLVED))
            for ex in exercises]


def total(states_: list[State]) -> float:
    """The assignment score 0..1: the mean of the best scores (an exercise not tried counts 0)."""
    return sum(s.score for s in states_) / len(states_) if states_ else 0.0


# ---------------------------------------------------------------------------------------------
# earned only


@dataclass(frozen=True)
class Solution:
    answer: str  # the right answer, typed as a student would
    worked: str  # plain-text steps with the student's numbers ("" when the family has none)
    steps: list | None  # core.steps.Step list (attention families), for the page 1 walk-through


def solution(ex: Exercise, state: State | None) -> Solution:
    """The answer and the worked solution. `state.earned_solution` must be true; the instructor's
    preview passes None."""
    if state is not None and not state.earned_solution:
        raise PermissionError("the solution is shown only once it is earned (see State.earned_solution)")
    answer = ex.family.solve(ex.params)
    worked = ex.family.worked_solution(ex.params) if hasattr(ex.family, "worked_solution") else ""
    steps = ex.family.steps(ex.params) if hasattr(ex.family, "steps") else None
    return Solution(answer if isinstance(answer, str) else format_answer(answer), worked, steps)
