"""A submission on page 6: graded, stored (committed before the feedback shows) and answered with
feedback built from the stored row. One typed answer to one exercise is one submission
(store.submission_key), whatever the clicks, reruns, processes or retries; when the gradebook fails,
SaveFailed says whether the answer was saved (NotSaved) or may have been (MaybeSaved, which `resolve`
answers later from the database).

This module never imports streamlit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from exercises.assignments import Assignment
from exercises.base import Feedback, format_answer, invalid
from exercises.choices import pass_mark, reduced_score
from exercises.practice import Exercise, State, exercise, exercise_state
from exercises.store import (
    SOLVED,
    Attempt,
    AttemptsChanged,
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


@dataclass(frozen=True)
class Outcome:
    feedback: Feedback  # built from the stored row when stored (see stored_feedback)
    state: State
    stored: bool  # False when nothing was stored: the exercise was already closed, or the answer was refused
    repeated: bool = False  # this same answer was stored before (a double click, a retry): counted once
    # the student's attempts to the whole assignment as this submission left them (read before the write,
    # plus the row it stored), for the page's next run to draw from without reading them again; None
    # when not known (the gradebook said the exercise was closed)
    attempts: list[Attempt] | None = None


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


def submit(store: Store, student_id: str, assignment: Assignment, position: int, answer: str,
           known: list[Attempt] | None = None) -> Outcome:
    """Grade the answer, store it (committed before this returns), and return the feedback built from
    the stored row, with the exercise's new state.

    One typed answer to one exercise is one submission (store.submission_key): submitted again (a
    double click, a rerun, a retry after a failure, another app process) it is stored once and shows the
    feedback of the stored row. An answer to a closed exercise is neither graded into the log nor
    counted. An answer that cannot be stored (over 10,000 characters, a control character) is refused
    before grading with a message, and costs nothing.

    `known`: the student's attempts to the assignment as the caller last read them (the page, when it
    drew the exercise), oldest first. They are not read again: the gradebook checks, in the write's own
    transaction, that it holds as many (Store.record's known_attempts), and when another tab or process
    stored one meanwhile, they are read again and the answer graded against them.

    Raises NotSaved when the gradebook failed and nothing was stored, MaybeSaved when it failed during
    COMMIT and could not be asked whether the row is there (resolve() answers that later)."""
    ex = exercise(student_id, assignment, position)
    answer = clean_answer(answer if isinstance(answer, str) else format_answer(answer))
    not_saved = " Your answer was not saved, so it was not graded or counted: submit it again in a minute."
    if known is not None:
        everything = known
    else:
        try:  # the whole assignment's (one read serves this exercise and the page's next run)
            everything = store.attempts(student_id, assignment.id)
        except GradebookError as err:
            raise NotSaved(str(err) + not_saved, down=not isinstance(err, GradebookReadOnly)) from err
    rows = [a for a in everything if a.position == position]
    mark = pass_mark(ex.form(), SOLVED)
    before = exercise_state(ex.item, rows, solved_at=mark)
    if problem := answer_problem(answer):
        return Outcome(invalid(problem), before, stored=False, attempts=everything)
    sid = submission_key(student_id, assignment.id, position, ex.family.ID, ex.seed, answer)
    if seen := next((a for a in rows if a.submission_id == sid), None):
        return Outcome(stored_feedback(ex, seen), before, stored=True, repeated=True, attempts=everything)
    fb = grade(ex, answer)
    fb = reduced_score(fb, ex.form(), before.tries)  # a right choice after wrong tries: 0.5, 0.25, ...
    try:  # solved by a reduced right choice: the store sees a score below 1, so no try is left
        stored = store.record(sid, student_id, assignment.id, position, ex.family.ID, ex.seed, answer,
                              fb.valid, fb.score, fb.mistake,
                              max_tries=before.tries if before.solved else ex.item.tries,
                              student_known=bool(everything),  # an attempt of theirs: their row exists
                              known_attempts=None if known is None else len(known))
    except AttemptsChanged:  # another tab or process stored one since `known` was read: read them now
        return submit(store, student_id, assignment, position, answer)
    except ExerciseClosed:  # solved or out of tries (perhaps a moment ago, in another tab)
        after = exercise_state(ex.item, _attempts_or(store, student_id, assignment, position, rows), solved_at=mark)
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
    # what was read before the write, and the row just stored (no second read; a row another tab stored
    # in between shows from the run after)
    after = [*rows, stored]
    same = (stored.answer, stored.valid, stored.score, stored.mistake) == (answer, fb.valid, fb.score, fb.mistake)
    return Outcome(fb if same else stored_feedback(ex, stored), exercise_state(ex.item, after, solved_at=mark),
                   stored=True, attempts=[*everything, stored])


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
    return Outcome(stored_feedback(ex, seen), exercise_state(ex.item, rows, solved_at=pass_mark(ex.form(), SOLVED)),
                   stored=True)
