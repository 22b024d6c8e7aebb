"""Practice without signing in: the gradebook's `record` / `attempts` interface kept in memory, for
one browser session. Nothing is written to the database and no grade is made; the page's flow
(submit, feedback, tries, hints, solution) is the same as with the gradebook.

This module never imports streamlit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from exercises.store import SOLVED, Attempt, AttemptsChanged, ExerciseClosed

MAX_ROWS = 2_000  # a session that submits more forgets its oldest answers


@dataclass
class SessionLog:
    rows: list[Attempt] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, submission_id: str, student_id: str, assignment_id: str, position: int, family_id: str,
               seed: int, answer: str, feedback_valid: bool, score: float, mistake: str | None = None, *,
               max_tries: int | None = None, student_known: bool = False,
               known_attempts: int | None = None) -> Attempt:
        """As Store.record: a submission id seen before returns the first row; a closed exercise raises
        ExerciseClosed, another number of attempts than `known_attempts` AttemptsChanged, and either
        stores nothing."""
        with self._lock:
            if known_attempts is not None and known_attempts != sum(
                    (a.student_id, a.assignment_id) == (student_id, assignment_id) for a in self.rows):
                raise AttemptsChanged("the attempts changed since they were read")
            seen = next((a for a in self.rows if a.submission_id == submission_id), None)
            if seen is not None:
                if (seen.student_id, seen.assignment_id, seen.position) != (student_id, assignment_id, position):
                    raise ValueError(f"submission id {submission_id!r} was already used by another submission")
                return seen
            if max_tries is not None:
                mine = [a for a in self.rows if (a.student_id, a.assignment_id, a.position, a.valid)
                        == (student_id, assignment_id, position, True)]
                best = max((a.score for a in mine), default=None)
                if best is not None and best >= SOLVED:
                    raise ExerciseClosed("solved")
                if len(mine) >= max_tries:
                    raise ExerciseClosed("no tries left")
            row = Attempt(id=self.rows[-1].id + 1 if self.rows else 1, submission_id=submission_id, student_id=student_id,
                          assignment_id=assignment_id, position=position, family_id=family_id, seed=seed,
                          answer=answer, valid=bool(feedback_valid), score=float(score), mistake=mistake,
                          created_at=datetime.now(UTC))
            self.rows.append(row)
            del self.rows[:-MAX_ROWS]
            return row

    def attempts(self, student_id: str, assignment_id: str, position: int | None = None) -> list[Attempt]:
        with self._lock:
            return [a for a in self.rows if a.student_id == student_id and a.assignment_id == assignment_id
                    and (position is None or a.position == position)]

    def find(self, submission_id: str) -> Attempt | None:
        """As Store.find: the row stored under this submission id, or None."""
        with self._lock:
            return next((a for a in self.rows if a.submission_id == submission_id), None)
