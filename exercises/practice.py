"""What the Exercises page and the instructor dashboard call: a student's exercise, its state, a
submission graded and stored, and what the student has earned the right to see.

One rule runs through it: the right answer and the worked solution are computed only through
`solution()`, and the page calls it only when `State.earned_solution` is true (solved, or every try
used; for the lecture's FIXED variants an unverified id must solve it). Nothing else here returns them, so they cannot reach the browser early by accident.

This module never imports streamlit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from types import ModuleType

import numpy as np

from exercises import BY_ID
from exercises.assignments import Assignment, Item
from exercises.base import Feedback, format_answer, invalid, variant_seed
from exercises.choices import choice_tries, pass_mark, reduced_score
from exercises.identity import MAX_STUDENT_ID, SignInError, class_code_ok, normalize_student_id  # noqa: F401 (their home)
from exercises.store import (
    SOLVED,
    Attempt,
    CommitUnknown,
    ExerciseClosed,
    GradebookError,
    GradebookReadOnly,
    Store,
    answer_problem,
    clean_answer,
    submission_key,
)

log = logging.getLogger(__name__)

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


def _state(item: Item, rows: list[Attempt], verified: bool = False, solved_at: float = SOLVED) -> State:
    rows = [a for a in rows if a.family_id == item.family_id]  # an exercise the instructor replaced
    valid = [a for a in rows if a.valid]
    last = rows[-1] if rows else None
    return State(tries=len(valid), max_tries=item.tries, best=max((a.score for a in valid), default=None),
                 last_answer=last.answer if last else "", last_score=last.score if last and last.valid else None,
                 hints_after=item.hints_after, fixed=item.variant is not None, verified=verified,
                 solved_at=solved_at)


def states(store: Store, student_id: str, assignment: Assignment, verified: bool = False) -> list[State]:
    """Every exercise's state, in position order (one query). verified: the student proved who they are
    (see State.earned_solution)."""
    by_position: dict[int, list[Attempt]] = {}
    for a in store.attempts(student_id, assignment.id):
        by_position.setdefault(a.position, []).append(a)
    exercises = [exercise(student_id, assignment, item.position) for item in assignment.items]  # tries, pass mark
    return [_state(ex.item, by_position.get(ex.position, []), verified, pass_mark(ex.form(), SOLVED))
            for ex in exercises]


def total(states_: list[State]) -> float:
    """The assignment score 0..1: the mean of the best scores (an exercise not tried counts 0)."""
    return sum(s.score for s in states_) / len(states_) if states_ else 0.0


# ---------------------------------------------------------------------------------------------
# a submission


@dataclass(frozen=True)
class Outcome:
    feedback: Feedback  # built from the stored row when stored (see stored_feedback)
    state: State
    stored: bool  # False when nothing was stored: the exercise was already closed, or the answer was refused
    repeated: bool = False  # this same answer was stored before (a double click, a retry): counted once


class SaveFailed(Exception):
    """The gradebook failed while saving a submission; str(error) tells the student what happened and
    what to do. `down`: it did not answer (timed out, unreachable), as opposed to refusing the write."""

    down = True


class NotSaved(SaveFailed):
    """Nothing was stored: submitting again is safe."""

    def __init__(self, message: str, down: bool = True):
        super().__init__(message)
        self.down = down


class MaybeSaved(SaveFailed):
    """The database stopped answering during COMMIT and could not be asked again: the submission may be
    stored. `submission_id` finds it later (resolve)."""

    def __init__(self, message: str, submission_id: str):
        super().__init__(message)
        self.submission_id = submission_id


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


def stored_feedback(ex: Exercise, row: Attempt) -> Feedback:
    """The feedback of a stored attempt: valid, score and mistake as stored; the message (and cells,
    hint) from grading its stored answer again, which gives the same feedback (grading is deterministic).
    Where the grader now reads the answer otherwise (a family changed since), the stored row wins."""
    fb = grade(ex, row.answer)
    if fb.valid == row.valid and fb.mistake == row.mistake:
        if fb.correct and row.score < fb.score:  # a right choice after wrong tries (choices.reduced_score)
            return replace(fb, score=row.score, right=True,
                           message=f"{fb.message} After wrong tries, this answer earns {row.score:.0%} of the marks.")
        return replace(fb, score=row.score)
    if not row.valid:
        return invalid("Your answer could not be read; it was not counted.")
    return Feedback(True, row.score, f"Your answer was graded {row.score:.0%}.", row.mistake)


def submit(store: Store, student_id: str, assignment: Assignment, position: int, answer: str) -> Outcome:
    """Grade the answer, store it (committed before this returns), and return the feedback built from
    the stored row, with the exercise's new state.

    One typed answer to one exercise is one submission (store.submission_key): submitted again (a
    double click, a rerun, a retry after a failure, another app process) it is stored once and shows the
    feedback of the stored row. An answer to a closed exercise is neither graded into the log nor
    counted. An answer that cannot be stored (over 10,000 characters, a control character) is refused
    before grading with a message, and costs nothing.

    Raises NotSaved when the gradebook failed and nothing was stored, MaybeSaved when it failed during
    COMMIT and could not be asked whether the row is there (resolve() answers that later)."""
    ex = exercise(student_id, assignment, position)
    answer = clean_answer(answer if isinstance(answer, str) else format_answer(answer))
    not_saved = " Your answer was not saved, so it was not graded or counted: submit it again in a minute."
    try:
        rows = store.attempts(student_id, assignment.id, position)
    except GradebookError as err:
        raise NotSaved(str(err) + not_saved, down=not isinstance(err, GradebookReadOnly)) from err
    mark = pass_mark(ex.form(), SOLVED)
    before = _state(ex.item, rows, solved_at=mark)
    if problem := answer_problem(answer):
        return Outcome(invalid(problem), before, stored=False)
    sid = submission_key(student_id, assignment.id, position, ex.family.ID, ex.seed, answer)
    if seen := next((a for a in rows if a.submission_id == sid), None):
        return Outcome(stored_feedback(ex, seen), before, stored=True, repeated=True)
    fb = grade(ex, answer)
    fb = reduced_score(fb, ex.form(), before.tries)  # a right choice after wrong tries: 0.5, 0.25, ...
    try:  # solved by a reduced right choice: the store sees a score below 1, so no try is left
        stored = store.record(sid, student_id, assignment.id, position, ex.family.ID, ex.seed, answer,
                              fb.valid, fb.score, fb.mistake,
                              max_tries=before.tries if before.solved else ex.item.tries)
    except ExerciseClosed:  # solved or out of tries (perhaps a moment ago, in another tab)
        after = _state(ex.item, _attempts_or(store, student_id, assignment, position, rows), solved_at=mark)
        why = "you solved it." if after.solved else "every try is used."
        return Outcome(Feedback(True, after.score, "This exercise is finished: " + why), after, stored=False)
    except CommitUnknown as err:
        try:
            stored = store.find(sid)
        except GradebookError:
            stored = None
        if stored is None:
            raise MaybeSaved("Your answer may not have been saved: the gradebook stopped answering while saving "
                             "it. Reload the page to see whether it was counted (submitting the same answer again "
                             "never counts it twice).", sid) from err
        log.warning("COMMIT of %s went unanswered, but the row is stored", sid)
    except GradebookError as err:
        raise NotSaved(str(err) + not_saved, down=not isinstance(err, GradebookReadOnly)) from err
    after = _attempts_or(store, student_id, assignment, position, [*rows, stored])
    same = (stored.answer, stored.valid, stored.score, stored.mistake) == (answer, fb.valid, fb.score, fb.mistake)
    return Outcome(fb if same else stored_feedback(ex, stored), _state(ex.item, after, solved_at=mark), stored=True)


def _attempts_or(store: Store, student_id: str, assignment: Assignment, position: int,
                 fallback: list[Attempt]) -> list[Attempt]:
    """The exercise's attempts, read again; `fallback` when the gradebook stops answering just now."""
    try:
        return store.attempts(student_id, assignment.id, position)
    except GradebookError:
        return fallback


def resolve(store: Store, student_id: str, assignment: Assignment, position: int,
            submission_id: str) -> Outcome | None:
    """A submission whose save was in doubt (MaybeSaved), looked up in the gradebook: its outcome, built
    from the stored row, or None when it was not stored. Raises GradebookError while the gradebook
    cannot be reached (still in doubt)."""
    ex = exercise(student_id, assignment, position)
    rows = store.attempts(student_id, assignment.id, position)
    seen = next((a for a in rows if a.submission_id == submission_id), None)
    if seen is None:
        return None
    return Outcome(stored_feedback(ex, seen), _state(ex.item, rows, solved_at=pass_mark(ex.form(), SOLVED)),
                   stored=True)


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
