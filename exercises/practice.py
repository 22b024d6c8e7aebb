"""What the Exercises page and the instructor dashboard call: a student's exercise, its state, a
submission graded and stored, and what the student has earned the right to see.

One rule runs through it: the right answer and the worked solution are computed only through
`solution()`, and the page calls it only when `State.earned_solution` is true (solved, or every try
used). Nothing else here returns them, so they cannot reach the browser early by accident.

This module never imports streamlit.
"""

from __future__ import annotations

import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from types import ModuleType

import numpy as np

from exercises import BY_ID
from exercises.assignments import Assignment, Item
from exercises.base import Feedback, format_answer, invalid, variant_seed
from exercises.choices import choice_tries, pass_mark, reduced_score
from exercises.store import SOLVED, Attempt, ExerciseClosed, Store

log = logging.getLogger(__name__)

MAX_STUDENT_ID = 64
_STUDENT_ID = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")


class SignInError(ValueError):
    """A student id or class code that is refused; str(error) says what to fix."""


def normalize_student_id(text: str | None) -> str:
    """The id a student types -> the id the gradebook keys on: spaces around it dropped, lower case.
    Letters, digits and . _ @ - only (a university login or e-mail), 1 to 64 characters."""
    if not isinstance(text, str) or not text.strip():
        raise SignInError("Type your student id (the login your instructor gave you, like jdoe42).")
    sid = unicodedata.normalize("NFKC", text).strip().casefold()
    if len(sid) > MAX_STUDENT_ID:
        raise SignInError(f"That student id is {len(sid)} characters long; ids have at most {MAX_STUDENT_ID}.")
    if not _STUDENT_ID.match(sid):
        raise SignInError("A student id has only letters, digits and . _ @ - and starts with a letter or digit "
                          "(like jdoe42 or jdoe@uw.edu).")
    return sid


def class_code_ok(expected: str | None, typed: str | None) -> bool:
    """True when no class code is set, or when `typed` is it (compared in constant time, spaces around
    it ignored)."""
    if not expected:
        return True
    return hmac.compare_digest((typed or "").strip().encode(), expected.strip().encode())


# ---------------------------------------------------------------------------------------------
# a student's exercise


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
    """The student's own variant of one exercise: the same on every reload, process and machine."""
    item = assignment.items[position]
    family = BY_ID[item.family_id]
    seed = variant_seed(student_id, assignment.id, position)
    ex = Exercise(assignment.id, item, family, seed, _params(family, seed, item.variant))
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
        return self.closed

    @property
    def show_hint(self) -> bool:
        wrong = self.tries - (1 if self.solved else 0)
        return not self.solved and wrong >= self.hints_after

    @property
    def score(self) -> float:
        return self.best or 0.0


def _state(item: Item, rows: list[Attempt], solved_at: float = SOLVED) -> State:
    rows = [a for a in rows if a.family_id == item.family_id]  # an exercise the instructor replaced
    valid = [a for a in rows if a.valid]
    last = rows[-1] if rows else None
    return State(tries=len(valid), max_tries=item.tries, best=max((a.score for a in valid), default=None),
                 last_answer=last.answer if last else "", last_score=last.score if last and last.valid else None,
                 hints_after=item.hints_after, solved_at=solved_at)


def states(store: Store, student_id: str, assignment: Assignment) -> list[State]:
    """Every exercise's state, in position order (one query)."""
    by_position: dict[int, list[Attempt]] = {}
    for a in store.attempts(student_id, assignment.id):
        by_position.setdefault(a.position, []).append(a)
    exercises = [exercise(student_id, assignment, item.position) for item in assignment.items]  # tries, pass mark
    return [_state(ex.item, by_position.get(ex.position, []), pass_mark(ex.form(), SOLVED)) for ex in exercises]


def total(states_: list[State]) -> float:
    """The assignment score 0..1: the mean of the best scores (an exercise not tried counts 0)."""
    return sum(s.score for s in states_) / len(states_) if states_ else 0.0


# ---------------------------------------------------------------------------------------------
# a submission


@dataclass(frozen=True)
class Outcome:
    feedback: Feedback
    state: State
    stored: bool  # False when the exercise was already closed: nothing was graded into the log


def grid_answer(rows: int, cols: int, edits: dict | None) -> str:
    """A matrix filled into an empty rows×cols grid -> the text that is stored and graded, rows split by
    '; '. `edits` is what Streamlit's data editor keeps in session state: {"edited_rows": {row index:
    {column name "1".."cols": value}}}. An empty cell becomes '?', so the grader names the cell to fill
    in (and the try is not counted)."""
    grid: list[list] = [[None] * cols for _ in range(rows)]
    for r, changed in ((edits or {}).get("edited_rows") or {}).items():
        for c, value in (changed or {}).items():
            i, j = int(r), int(c) - 1
            if 0 <= i < rows and 0 <= j < cols:
                grid[i][j] = value

    def cell(v) -> str:
        text = "" if v is None else str(v).strip()
        return text if text and text.lower() not in ("nan", "none") else "?"
    return "; ".join(" ".join(cell(v) for v in row) for row in grid)


def grade(ex: Exercise, answer: str) -> Feedback:
    """The family's grade, with its contract (never raise) enforced here too: a bug in a family shows
    the student a message and is logged, never a traceback."""
    try:
        fb = ex.family.grade(ex.params, answer)
        if not isinstance(fb, Feedback):
            raise TypeError(f"grade returned {type(fb).__name__}")
        return fb
    except Exception:  # a broken family must not break the page
        log.exception("grading %s (seed %s) failed on %r", ex.family.ID, ex.seed, answer)
        return invalid("This answer could not be graded because of a problem on our side; it was not counted. "
                       "Tell your instructor which exercise this is.")


def submit(store: Store, student_id: str, assignment: Assignment, position: int, answer: str,
           submission_id: str) -> Outcome:
    """Grade the answer, store it (committed before this returns), and return the feedback with the
    exercise's new state. An answer to a closed exercise is neither graded into the log nor counted.
    submission_id: made once per submit by the page; a repeat returns the first outcome's state."""
    ex = exercise(student_id, assignment, position)
    if not isinstance(answer, str):
        answer = format_answer(answer)
    fb = grade(ex, answer)
    before = _state(ex.item, store.attempts(student_id, assignment.id, position), pass_mark(ex.form(), SOLVED))
    fb = reduced_score(fb, ex.form(), before.tries)  # a right choice after wrong tries: 0.5, 0.25, ...
    try:  # solved by a reduced right choice: the store sees a score below 1, so no try is left
        store.record(submission_id, student_id, assignment.id, position, ex.family.ID, ex.seed, answer,
                     fb.valid, fb.score, fb.mistake, max_tries=before.tries if before.solved else ex.item.tries)
    except ExerciseClosed:  # solved or out of tries (perhaps a moment ago, in another tab)
        after = _state(ex.item, store.attempts(student_id, assignment.id, position), pass_mark(ex.form(), SOLVED))
        why = "you solved it." if after.solved else "every try is used."
        return Outcome(Feedback(True, after.score, "This exercise is finished: " + why), after, stored=False)
    after = _state(ex.item, store.attempts(student_id, assignment.id, position), pass_mark(ex.form(), SOLVED))
    return Outcome(fb, after, stored=True)


# ---------------------------------------------------------------------------------------------
# earned only


@dataclass(frozen=True)
class Solution:
    answer: str  # the right answer, typed as a student would
    worked: str  # plain-text steps with the student's numbers ("" when the family has none)
    steps: list | None  # core.steps.Step list (attention families), for the page 1 walk-through


def solution(ex: Exercise, state: State | None) -> Solution:
    """The answer and the worked solution. `state` must be closed (solved or out of tries); the
    instructor's preview passes None."""
    if state is not None and not state.earned_solution:
        raise PermissionError("the solution is shown only after a right answer or the last try")
    answer = ex.family.solve(ex.params)
    worked = ex.family.worked_solution(ex.params) if hasattr(ex.family, "worked_solution") else ""
    steps = ex.family.steps(ex.params) if hasattr(ex.family, "steps") else None
    return Solution(answer if isinstance(answer, str) else format_answer(answer), worked, steps)
